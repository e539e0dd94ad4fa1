import { resolveWall } from "./zoned-time";

const at = (iso: string) => new Date(iso).getTime();

test("an ordinary time has one instant", () => {
  expect(resolveWall({ year: 2030, month: 7, day: 1, hour: 9, minute: 0 }, "Europe/Paris")).toEqual({ kind: "exact", instant: at("2030-07-01T07:00:00Z") });
});

test("a time in the spring gap lands after it", () => {
  expect(resolveWall({ year: 2030, month: 3, day: 31, hour: 2, minute: 30 }, "Europe/Paris")).toEqual({
    kind: "gap",
    instant: at("2030-03-31T01:30:00Z"), // 03:30 summer time
    skippedMinutes: 60,
  });
});

test("a time in the autumn overlap has two instants", () => {
  expect(resolveWall({ year: 2030, month: 10, day: 27, hour: 2, minute: 30 }, "Europe/Paris")).toEqual({
    kind: "overlap",
    earlier: at("2030-10-27T00:30:00Z"),
    later: at("2030-10-27T01:30:00Z"),
  });
});

test("half-hour zones and zones without DST work", () => {
  expect(resolveWall({ year: 2030, month: 1, day: 1, hour: 0, minute: 0 }, "Asia/Kolkata")).toEqual({ kind: "exact", instant: at("2029-12-31T18:30:00Z") });
  expect(resolveWall({ year: 2030, month: 6, day: 1, hour: 12, minute: 0 }, "Australia/Lord_Howe")).toEqual({ kind: "exact", instant: at("2030-06-01T01:30:00Z") });
});
