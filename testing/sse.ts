// A server-sent-events client for tests and benchmarks: a streaming fetch with a signed-in cookie,
// parsed into JSON messages (one EventSource-like reader per connection, no browser needed).
import type { HttpSession } from "@/testing/http";

export interface SseMessage<T = Record<string, unknown>> {
  data: T;
  /** Date.now() when the client had read the whole message. */
  receivedAt: number;
}

export interface SseStream<T = Record<string, unknown>> {
  status: number;
  messages: SseMessage<T>[];
  /** Resolves with the first message (already received or later) that matches, or null after `timeoutMs`. */
  next(predicate: (data: T) => boolean, timeoutMs: number): Promise<SseMessage<T> | null>;
  /** Resolves when the server ended the stream or the connection broke (with the error, if any). */
  ended: Promise<Error | null>;
  close(): void;
}

export async function openEventStream<T = Record<string, unknown>>(
  session: HttpSession,
  path: string,
  onMessage?: (message: SseMessage<T>) => void,
): Promise<SseStream<T>> {
  const abort = new AbortController();
  const response = await fetch(new URL(path, session.baseUrl), {
    headers: { cookie: session.cookieHeader, accept: "text/event-stream" },
    signal: abort.signal,
  });
  const messages: SseMessage<T>[] = [];
  const waiters = new Set<() => void>();
  const deliver = (message: SseMessage<T>) => {
    messages.push(message);
    onMessage?.(message);
    for (const wake of [...waiters]) wake();
  };
  const ended = (async (): Promise<Error | null> => {
    if (!response.ok || !response.body) return new Error(`HTTP ${response.status}`);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return null;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trimStart())
            .join("\n");
          if (!data) continue; // a keep-alive comment
          deliver({ data: JSON.parse(data) as T, receivedAt: Date.now() });
        }
      }
    } catch (error) {
      return abort.signal.aborted ? null : (error as Error);
    } finally {
      for (const wake of [...waiters]) wake();
    }
  })();
  let finished = false;
  void ended.then(() => (finished = true));

  return {
    status: response.status,
    messages,
    ended,
    close: () => abort.abort(),
    async next(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((m) => predicate(m.data));
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0 || finished) return null;
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
  };
}
