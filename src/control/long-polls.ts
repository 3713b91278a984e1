import type { FastifyReply } from 'fastify';

/**
 * The long-polls in flight (GET /callbacks?wait=, GET /idle). The HTTP server closes only once every request has
 * ended, so a shutdown answers them at once (`503 closing`) instead of waiting up to their timeout (5 minutes).
 */
export class LongPolls {
  private readonly replies = new Set<FastifyReply>();

  /** Wait for `answer` on behalf of `reply`; when the shutdown answered first, the late answer is dropped. */
  async hold<T>(reply: FastifyReply, answer: () => Promise<T>): Promise<T | FastifyReply> {
    this.replies.add(reply);
    try {
      const value = await answer();
      return reply.sent ? reply : value;
    } catch (error) {
      if (reply.sent) return reply;
      throw error;
    } finally {
      this.replies.delete(reply);
    }
  }

  /** Answer every long-poll still waiting with 503 `closing`. */
  releaseAll(message: string): void {
    for (const reply of this.replies) if (!reply.sent) void reply.code(503).send({ error: 'closing', message });
    this.replies.clear();
  }
}
