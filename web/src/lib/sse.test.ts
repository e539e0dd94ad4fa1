import { SseParser } from "./sse";

test("messages split across chunks are put together; comments are skipped", () => {
  const parser = new SseParser();
  expect(parser.push("retry: 2000\n: connected\n\nid: 7\nevent: sta")).toEqual([]);
  expect(parser.push('tus\ndata: {"a":\ndata: 1}\n\n: heartbeat\n\nid: 8\r\ndata: x\r\n\r\n')).toEqual([
    { id: "7", event: "status", data: '{"a":\n1}' },
    { id: "8", event: "message", data: "x" },
  ]);
});
