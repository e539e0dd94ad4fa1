// A Server-Sent Events reader over fetch: EventSource cannot send an Authorization header, and
// the token must not go into a URL. Resumes with Last-Event-ID like EventSource would.
export type SseMessage = { id: string | null; event: string; data: string };

export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "message";
  private id: string | null = null;

  /** Feeds a chunk of the stream; returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const sep = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + sep);
      if (line === "") {
        if (this.data.length) out.push({ id: this.id, event: this.event, data: this.data.join("\n") });
        this.data = [];
        this.event = "message";
        continue;
      }
      if (line.startsWith(":")) continue; // comment (heartbeat)
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") this.data.push(value);
      else if (field === "event") this.event = value;
      else if (field === "id") this.id = value;
    }
    return out;
  }
}

export type StreamOptions = {
  url: string;
  token: () => string | null;
  onMessage: (message: SseMessage) => void;
  onState: (connected: boolean) => void;
};

/** Reads the stream until stopped, reconnecting (with backoff) and resuming after the last id. */
export function openEventStream({ url, token, onMessage, onState }: StreamOptions): () => void {
  const controller = new AbortController();
  let lastId: string | null = null;
  let delay = 1000;

  async function readOnce(): Promise<void> {
    const bearer = token();
    if (!bearer) return;
    const headers: Record<string, string> = { Accept: "text/event-stream", Authorization: `Bearer ${bearer}` };
    if (lastId) headers["Last-Event-ID"] = lastId;
    const response = await fetch(url, { headers, signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`event stream refused: ${response.status}`);
    onState(true);
    delay = 1000;
    const parser = new SseParser();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const message of parser.push(value)) {
        if (message.id) lastId = message.id;
        onMessage(message);
      }
    }
  }

  (async () => {
    while (!controller.signal.aborted) {
      try {
        await readOnce();
      } catch {
        // reconnect below
      }
      onState(false);
      if (controller.signal.aborted) break;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
    }
  })();
  return () => controller.abort();
}
