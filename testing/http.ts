// Signs in over HTTP exactly as the browser form does (next-auth credentials flow) and keeps the cookies.
export class HttpSession {
  private cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  private remember(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const [name, ...value] = pair.split("=");
      this.cookies.set(name.trim(), value.join("="));
    }
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(new URL(path, this.baseUrl), {
      redirect: "manual",
      ...init,
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader },
    });
    this.remember(response);
    return response;
  }

  async signIn(email: string, password = process.env.DEMO_PASSWORD ?? "beamline-demo"): Promise<boolean> {
    const csrf = (await (await this.fetch("/api/auth/csrf")).json()) as { csrfToken: string };
    const body = new URLSearchParams({ csrfToken: csrf.csrfToken, email, password, json: "true" });
    await this.fetch("/api/auth/callback/credentials", {
      method: "POST",
      body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const session = (await (await this.fetch("/api/auth/session")).json()) as { user?: { email?: string } };
    return session.user?.email === email;
  }
}
