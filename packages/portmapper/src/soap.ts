import { errorText, PortMappingError } from "./errors.js";
import { requestRouterTextFrom } from "./pinholes/http-from-address.js";
import { fetchRouterText, type RouterAnswer } from "./router-http.js";
import { elementsNamed, encodeEntities, firstText } from "./xml-text.js";

/** One UPnP control action: a SOAP 1.1 POST to the service's control URL. */
export interface SoapAction {
  controlUrl: string;
  serviceType: string;
  action: string;
  /** Arguments in the order the service defines them (UPnP devices may insist on it). */
  args: ReadonlyArray<readonly [string, string | number]>;
  signal?: AbortSignal;
  /** Send from this address (IPv6 pinholes: the router checks the request comes from the pinhole's address). */
  localAddress?: string;
  /** Bound on the request, answer included (default: the router HTTP default, 10 s). */
  timeoutMs?: number;
}

function envelope(a: SoapAction): string {
  const args = a.args.map(([k, v]) => `<${k}>${encodeEntities(String(v))}</${k}>`).join("");
  return (
    '<?xml version="1.0"?>\r\n' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${a.action} xmlns:u="${a.serviceType}">${args}</u:${a.action}></s:Body></s:Envelope>\r\n`
  );
}

/**
 * Call the action and return the response's output arguments by name. A UPnP fault becomes a
 * {@link PortMappingError} with the device's error code and description.
 */
export async function callAction(a: SoapAction): Promise<Record<string, string>> {
  let answer: RouterAnswer;
  try {
    const init = {
      method: "POST",
      headers: {
        "content-type": 'text/xml; charset="utf-8"',
        soapaction: `"${a.serviceType}#${a.action}"`,
      },
      body: envelope(a),
    };
    const limits = { signal: a.signal, timeoutMs: a.timeoutMs };
    answer = a.localAddress
      ? await requestRouterTextFrom(a.localAddress, a.controlUrl, init, limits)
      : await fetchRouterText(a.controlUrl, init, limits);
  } catch (error) {
    throw new PortMappingError(`the gateway did not answer ${a.action}: ${errorText(error)}`);
  }
  const { text } = answer;
  if (!answer.ok) {
    const code = Number(firstText(text, "errorCode"));
    const description = firstText(text, "errorDescription") ?? answer.statusText;
    throw new PortMappingError(
      `the gateway refused ${a.action}: ${Number.isFinite(code) && code > 0 ? `UPnP error ${code} ` : `HTTP ${answer.status} `}${description}`,
      Number.isFinite(code) && code > 0 ? code : undefined,
    );
  }
  const body = elementsNamed(text, `${a.action}Response`)[0] ?? "";
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/<(?:[\w.-]+:)?(\w+)(?:\s[^>]*)?>([^<]*)<\//g)) {
    const [, name = "", value = ""] = m;
    out[name] = firstText(`<x>${value}</x>`, "x") ?? "";
  }
  return out;
}
