// A server-sent-events response: JSON messages, a comment every 15 s so proxies keep the stream open, and
// the caller's subscriptions released when the browser goes away or the viewer's access ends.
import "server-only";

const KEEP_ALIVE_MS = 15_000;
// How often a stream asks whether its viewer may still see it (sign-out, account or membership removed).
const ACCESS_CHECK_MS = Number(process.env.SSE_ACCESS_CHECK_MS ?? 5_000);

export type SendEvent = (data: unknown) => void;
/** Ends the stream from the server side (the browser's EventSource then reconnects and is refused). */
export type EndStream = () => void;

/**
 * `stillAllowed` is asked every few seconds; a false answer ends the stream. An error (the database unreachable
 * for a moment) does not: nothing new can be sent without the database either, and the next check decides. `start`
 * subscribes and returns its cleanup; it may send at once (the first snapshot) and may end the stream.
 */
export function eventStream(
  request: Request,
  stillAllowed: () => Promise<boolean>,
  start: (send: SendEvent, end: EndStream) => () => void,
): Response {
  const encoder = new TextEncoder();
  let release = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          release();
        }
      };
      const end = () => {
        release();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      let checking = false;
      const check = async () => {
        if (checking || closed) return;
        checking = true;
        const allowed = await stillAllowed().catch(() => null);
        checking = false;
        if (allowed === false) end();
      };
      const keepAlive = setInterval(() => write(": keep-alive\n\n"), KEEP_ALIVE_MS);
      const accessCheck = setInterval(() => void check(), ACCESS_CHECK_MS);
      let unsubscribe: (() => void) | null = null;
      release = () => {
        if (closed) return;
        closed = true;
        clearInterval(keepAlive);
        clearInterval(accessCheck);
        unsubscribe?.();
      };
      unsubscribe = start((data) => write(`data: ${JSON.stringify(data)}\n\n`), end);
      if (closed) unsubscribe(); // `start` ended the stream at once
      request.signal.addEventListener("abort", end);
    },
    cancel() {
      release();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}
