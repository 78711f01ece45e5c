// A server-sent-events response: JSON messages, a comment every 15 s so proxies keep the stream open, and
// the caller's subscriptions released when the browser goes away.
import "server-only";

const KEEP_ALIVE_MS = 15_000;

export type SendEvent = (data: unknown) => void;

/** `start` subscribes and returns its cleanup; it may send at once (the first snapshot). */
export function eventStream(request: Request, start: (send: SendEvent) => () => void): Response {
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
      const keepAlive = setInterval(() => write(": keep-alive\n\n"), KEEP_ALIVE_MS);
      const unsubscribe = start((data) => write(`data: ${JSON.stringify(data)}\n\n`));
      release = () => {
        if (closed) return;
        closed = true;
        clearInterval(keepAlive);
        unsubscribe();
      };
      request.signal.addEventListener("abort", () => {
        release();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      });
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
