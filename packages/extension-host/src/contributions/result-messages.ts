import { defineCatalog, type LocalizedText, type MessageParams } from "@autostun/plugins-api";

/** Why a value a check returned cannot be shown as its result; the plugin's author is the reader. */
export const resultMessages = defineCatalog({
  en: {
    "not-object": "expected an object, got {type}",
    status: "status must be one of PASS, WARN, FAIL, SKIP (got {got})",
    summary: "summary must be a string or { en: string, … }",
    "facts.shape": "facts must be an object",
    "facts.json": "facts are not JSON-serialisable: {reason}",
    "facts.size":
      "its facts are {size} of JSON, over the {limit} limit; keep facts to the evidence for the verdict and log the rest",
    guidance: "guidance must have a title and a list of steps",
    remedies: "remedies must be a list of { id, title, description }",
    json: "the result is not JSON-serialisable: {reason}",
    size: "it is {size} of JSON, over the {limit} limit; shorten its summary, guidance and facts",
  },
  "zh-CN": {
    "not-object": "结果应当是一个对象，实际得到的是 {type}",
    status: "status 只能取 PASS、WARN、FAIL、SKIP 之一（实际为 {got}）",
    summary: "summary 必须是字符串，或带有 en 字段的多语言对象",
    "facts.shape": "facts 必须是一个对象",
    "facts.json": "facts 无法转成 JSON：{reason}",
    "facts.size":
      "facts 转成 JSON 后有 {size}，超过了 {limit} 的上限；facts 只应保留支撑结论的证据，其余内容请写进日志",
    guidance: "guidance 必须包含标题和步骤列表",
    remedies: "remedies 必须是列表，每一项都要有 id、title 和 description",
    json: "结果无法转成 JSON：{reason}",
    size: "结果转成 JSON 后有 {size}，超过了 {limit} 的上限；请精简摘要、指引和 facts",
  },
});

export function resultText(key: string, params?: MessageParams): LocalizedText {
  return resultMessages.text(key, params);
}
