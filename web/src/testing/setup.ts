import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/react";
import { setSession } from "@/lib/session";

afterEach(() => {
  cleanup();
  setSession(null);
});
