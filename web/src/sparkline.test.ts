import { describe, expect, it } from "vitest";
import { sparkPath } from "./sparkline";

describe("sparkPath", () => {
  it("draws the highest value at the top and zero at the bottom", () => {
    expect(sparkPath([0, 2, 1], 100, 20)).toBe("M0,20 L50,0 L100,10");
  });
  it("draws nothing but a flat line for all zeros", () => {
    expect(sparkPath([0, 0], 10, 4)).toBe("M0,4 L10,4");
  });
});
