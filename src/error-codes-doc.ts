import { ERROR_CODE_GROUPS, ERROR_CODES_CHECKED_ON, ERRORS_PAGE_URL, MESSAGE_ERROR_CODES, type ErrorCodeGroup, type MessageErrorCode } from './error-codes.js';

// docs/error-codes.md is this text: written by `npm run docs:error-codes` (the test below, with UPDATE_ERROR_CODES_DOC=1), compared by test/unit/error-codes.test.ts.

const cell = (text: string) => text.replace(/\|/g, '\\|');
const SOURCE_WORDS = { 'errors-page': 'errors page', 'support-article': 'support article', cli: 'CLI only' } as const;

function row(info: MessageErrorCode): string {
  const group = ERROR_CODE_GROUPS[info.group];
  const source = info.source.kind === 'errors-page' ? 'page' : `[${SOURCE_WORDS[info.source.kind]}](${info.source.url})`;
  // The group's reason is said once under its heading; a row repeats only what is its own.
  const why = [info.retryWhy === group.retryWhy ? '' : info.retryWhy, info.note ?? ''].filter(Boolean).join(' ');
  const retry = info.retry === group.retry ? info.retry : `**${info.retry}**`;
  const billable = info.billable === group.billable ? (info.billable ? 'yes' : 'no') : `**${info.billable ? 'yes' : 'no'}**`;
  return `| ${info.code} | \`${info.name}\` | ${cell(info.text)} | ${cell(info.description)} | ${billable} | ${retry} | ${source} | ${cell(why)} |`;
}

/** docs/error-codes.md: every code of the table, by group, with billable, retry advice and source. */
export function errorCodesMarkdown(): string {
  const codes = Object.values(MESSAGE_ERROR_CODES);
  const out = [
    '# message-failed error codes',
    '',
    `<!-- Generated from src/error-codes.ts by \`npm run docs:error-codes\`; test/unit/error-codes.test.ts keeps it in step. -->`,
    '',
    `Every code the emulator can send in \`message-failed\`, checked on ${ERROR_CODES_CHECKED_ON} against Bandwidth's`,
    `[errors page](${ERRORS_PAGE_URL}),`,
    "with the codes published since (4794) or only in Bandwidth's CLI guide (4476, 5229). The running emulator answers",
    'the same table at `GET /__emulator/error-codes` (one code: `GET /__emulator/error-codes/{code}`). Only `errorCode`',
    'identifies the failure: Bandwidth calls the `description` "purely informative"; the emulator sends the one in the',
    '"Sent as description" column.',
    '',
    'Retry: `no` (the same result), `yes` (a different result can be expected), `once` (at most one retry), `later`',
    '(after backing off), `not-advised` (it may have been delivered, or the cause is unknown). "Billable" is the page\'s',
    'column; where a code is not on the page, the note says what is inferred. A value in bold differs from its group.',
  ];
  for (const [group, info] of Object.entries(ERROR_CODE_GROUPS) as Array<[ErrorCodeGroup, (typeof ERROR_CODE_GROUPS)[ErrorCodeGroup]]>) {
    out.push(
      '',
      `## ${info.title}`,
      '',
      `Billable: ${info.billable ? 'yes' : 'no'}. Retry: ${info.retry}. ${info.retryWhy}`,
      '',
      '| Code | Name | Text | Sent as description | Billable | Retry | Source | Why, note |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const info of codes) if (info.group === group) out.push(row(info));
  }
  return `${out.join('\n')}\n`;
}
