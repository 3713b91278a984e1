import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { openApi30Schema } from '../../src/control/openapi-schema.js';

// TypeBox writes JSON Schema 2020-12; the control API's document is OpenAPI 3.0.3, whose Schema Object differs.
describe('openApi30Schema', () => {
  it('turns const into a one-value enum and a union of constants into one enum', () => {
    expect(openApi30Schema(Type.Literal('RBM'))).toEqual({ type: 'string', enum: ['RBM'] });
    expect(openApi30Schema(Type.Union([Type.Literal(429), Type.Literal(500)], { description: 'a status' }))).toEqual({
      type: 'number',
      enum: [429, 500],
      description: 'a status',
    });
  });

  it('turns a null branch or a null type into nullable', () => {
    expect(openApi30Schema(Type.Union([Type.String({ maxLength: 5 }), Type.Null()]))).toEqual({ type: 'string', maxLength: 5, nullable: true });
    expect(openApi30Schema({ type: ['integer', 'null'] })).toEqual({ type: 'integer', nullable: true });
    // Several non-null branches: each carries nullable (3.0.3 wants a type beside it).
    expect(openApi30Schema(Type.Union([Type.String(), Type.Integer(), Type.Null()]))).toEqual({
      anyOf: [
        { type: 'string', nullable: true },
        { type: 'integer', nullable: true },
      ],
    });
  });

  it('turns numeric exclusive bounds into 3.0 flags, keeps nested schemas converted, drops unknown keywords', () => {
    expect(openApi30Schema(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }))).toEqual({
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 1,
      exclusiveMaximum: true,
    });
    const nested = openApi30Schema(
      Type.Object(
        { list: Type.Array(Type.Literal('a')), extra: Type.Optional(Type.String({ examples: ['x'], $id: 'Extra' })) },
        { additionalProperties: false },
      ),
    );
    expect(nested).toEqual({
      type: 'object',
      required: ['list'],
      additionalProperties: false,
      properties: { list: { type: 'array', items: { type: 'string', enum: ['a'] } }, extra: { type: 'string', example: 'x' } },
    });
  });

  it('leaves its input unchanged (the routes validate with the same objects)', () => {
    const schema = Type.Object({ a: Type.Literal(1) });
    const before = JSON.stringify(schema);
    openApi30Schema(schema);
    expect(JSON.stringify(schema)).toBe(before);
  });
});
