import { describe, expect, it } from "vitest";
import { matcherText, parseMatchers } from "./matchers";

describe("parseMatchers", () => {
  it("reads one matcher a line, each operator, spaces in the value kept", () => {
    expect(parseMatchers("alertname = nova errors\nhost=~cmp[0-9]+\n\nseverity != info\nprogram!~nova-.*")).toEqual({
      matchers: [{ name: "alertname", op: "=", value: "nova errors" }, { name: "host", op: "=~", value: "cmp[0-9]+" },
                 { name: "severity", op: "!=", value: "info" }, { name: "program", op: "!~", value: "nova-.*" }],
    });
  });
  it("names the first line that is not a matcher", () => {
    expect(parseMatchers("host=cmp1\njust words")).toEqual({ line: 2 });
  });
  it("writes a matcher back as it reads it", () => {
    expect(matcherText({ name: "host", op: "=~", value: "cmp.*" })).toBe("host =~ cmp.*");
  });
});
