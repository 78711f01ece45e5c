// Calls a Next server action over HTTP as the browser's React does: the action's id from the build's own
// manifest, the arguments encoded by React's encodeReply, the answer decoded by React's flight client.
// Nothing is faked: the request goes through the built dashboard, its session cookie and its action handler.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type { HttpSession } from "@/testing/http";

interface FlightClient {
  encodeReply(value: unknown): Promise<string | FormData>;
  createFromReadableStream(stream: ReadableStream<Uint8Array>, options: unknown): Promise<{ a: unknown }>;
}
// Next's own copy of React's flight client (the one its browser bundle uses); it ships without types.
const flight = createRequire(import.meta.url)("next/dist/compiled/react-server-dom-webpack/client.edge") as FlightClient;

interface ActionManifest {
  node: Record<string, { exportedName?: string; filename?: string }>;
}

/** A server action named by its file and export, as the client components import it. */
export interface ServerActionRef {
  file: string;
  exportedName: string;
}

export function serverActionId({ file, exportedName }: ServerActionRef, buildDir = ".next"): string {
  const manifestPath = path.join(buildDir, "server", "server-reference-manifest.json");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as ActionManifest;
  const ids = Object.entries(manifest.node)
    .filter(([, action]) => action.exportedName === exportedName && action.filename?.endsWith(file))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`${manifestPath} has ${ids.length} server actions ${exportedName} in ${file}; expected one.`);
  return ids[0];
}

export interface ServerActionAnswer<T> {
  status: number;
  /** Where the action redirected the browser (Next's x-action-redirect), if it did. */
  redirect: string | null;
  /**
   * What the action returned, decoded. An answer that also carries the re-rendered page (the action called
   * revalidatePath) refers to client-component modules this process cannot load: read its effect from the
   * database instead.
   */
  result: () => Promise<T>;
}

/** POSTs a call of `action` with `args` to `pagePath` (a page whose client components use the action). */
export async function callServerAction<T>(
  session: HttpSession,
  pagePath: string,
  action: ServerActionRef,
  args: unknown[],
): Promise<ServerActionAnswer<T>> {
  const body = await flight.encodeReply(args);
  const response = await session.fetch(pagePath, {
    method: "POST",
    body,
    headers: {
      accept: "text/x-component",
      "next-action": serverActionId(action),
      origin: new URL(session.baseUrl).origin,
      // A FormData body gets its multipart content type (with the boundary) from fetch itself.
      ...(typeof body === "string" ? { "content-type": "text/plain;charset=UTF-8" } : {}),
    },
  });
  const redirect = response.headers.get("x-action-redirect");
  const bytes = new Uint8Array(await response.arrayBuffer());
  const result = async () => {
    if (!response.ok) throw new Error(`${pagePath} answered ${response.status}: ${new TextDecoder().decode(bytes).slice(0, 300)}`);
    const root = await flight.createFromReadableStream(new Response(bytes).body!, {
      serverConsumerManifest: { moduleMap: {}, serverModuleMap: null, moduleLoading: null },
    });
    return (await root.a) as T;
  };
  return { status: response.status, redirect, result };
}
