import { describe, expect, it } from "vitest";
import { connectionParams, endpointsFor, requestHeaders } from "./client.js";

describe("endpointsFor", () => {
  it("puts GraphQL beside the page, over ws for http and wss for https", () => {
    expect(endpointsFor("http://127.0.0.1:7878/")).toEqual({
      http: "http://127.0.0.1:7878/graphql",
      ws: "ws://127.0.0.1:7878/graphql",
    });
    expect(endpointsFor("https://nas.lan/autostun/?x=1#top")).toEqual({
      http: "https://nas.lan/autostun/graphql",
      ws: "wss://nas.lan/autostun/graphql",
    });
  });
});

describe("requestHeaders and connectionParams", () => {
  it("always name the locale and add the bearer token only when there is one", () => {
    expect(requestHeaders("zh-CN", null)).toEqual({ "x-autostun-locale": "zh-CN" });
    expect(requestHeaders("en", "s3cret")).toEqual({
      "x-autostun-locale": "en",
      authorization: "Bearer s3cret",
    });
    expect(connectionParams("zh-CN", null)).toEqual({ locale: "zh-CN" });
    expect(connectionParams("en", "s3cret")).toEqual({ locale: "en", authorization: "Bearer s3cret" });
  });
});
