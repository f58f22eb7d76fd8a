/**
 * A scripted browser for HTTP tests: keeps cookies (like a browser on one
 * host: tests only talk to 127.0.0.1, so paths and ports are not told apart),
 * sends Origin on state-changing requests, and follows redirects when asked.
 */
export class Agent {
  readonly cookies = new Map<string, string>();

  constructor(private readonly origin: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set("cookie", this.cookieHeader());
    const response = await fetch(new URL(url, this.origin), {
      ...init,
      headers,
      redirect: "manual",
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /**
   * Follows redirects like a browser's navigation; returns the last response
   * and its URL. With `stopAt`, a redirect to a matching URL is not followed:
   * the response is the redirect and `url` where it points.
   */
  async navigate(
    url: string,
    init: RequestInit = {},
    stopAt: (url: URL) => boolean = () => false,
  ): Promise<{ response: Response; url: URL }> {
    let current = new URL(url, this.origin);
    let response = await this.fetch(current.href, init);
    for (let hops = 0; response.status >= 300 && response.status < 400; hops++) {
      if (hops > 20) throw new Error("too many redirects");
      current = new URL(response.headers.get("location") ?? "", current);
      if (stopAt(current)) break;
      response = await this.fetch(current.href);
    }
    return { response, url: current };
  }

  /** A JSON request as the Plenum client sends it: same-origin Origin, JSON body. */
  json(method: string, path: string, body: unknown = {}): Promise<Response> {
    return this.fetch(path, {
      method,
      headers: { "content-type": "application/json", origin: this.origin },
      body: JSON.stringify(body),
    });
  }
}
