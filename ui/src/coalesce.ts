// Coalesced loads: a burst of live events costs two requests, not one each.

/** Wrap `run` so calls while it runs fold into one more run after it: one request in flight, at most one waiting. */
export function coalesce(run: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const start = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    run()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          start();
        }
      });
  };
  return start;
}
