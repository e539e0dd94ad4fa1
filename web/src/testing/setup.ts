import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { cleanup, configure } from "@testing-library/react";
import { setSession } from "@/lib/session";

afterEach(() => {
  cleanup();
  setSession(null);
});

// jsdom renders the ~430-option time zone selects slowly on a busy machine.
configure({ asyncUtilTimeout: 5000 });
