import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeHeaderValue, emailToText, htmlToText } from "../../src/text/email-text.js";

describe("email text", () => {
  it("keeps Subject and From, drops routing headers, decodes encoded words", () => {
    const raw = [
      "From someone@example.com  Mon Jul  1 00:00:00 2002",
      "Received: from relay by mx",
      "Subject: =?utf-8?B?Q2Fmw6kgb2ZmZXI=?=",
      "From: =?iso-8859-1?Q?Ren=E9?= <r@example.com>",
      "",
      "Plain body.",
    ].join("\n");
    assert.equal(emailToText(raw), "Café offer\nRené <r@example.com>\nPlain body.");
    assert.equal(decodeHeaderValue("=?utf-8?Q?a_b?= =?utf-8?Q?c?="), "a bc");
  });

  it("decodes multipart bodies: base64 and quoted-printable parts in their charsets, HTML reduced to text, attachments dropped", () => {
    const raw = [
      "Subject: hi",
      'Content-Type: multipart/mixed; boundary="XX"',
      "",
      "preamble",
      "--XX",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from("Grüße aus Köln").toString("base64"),
      "--XX",
      "Content-Type: text/html; charset=iso-8859-1",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "<html><style>p{}</style><p>Caf=E9 &amp; cr=\n&egrave;me</p><script>x()</script></html>",
      "--XX",
      "Content-Type: application/pdf",
      "Content-Transfer-Encoding: base64",
      "",
      "JVBERi0xLjQ=",
      "--XX--",
    ].join("\n");
    assert.equal(emailToText(raw), "hi\nGrüße aus Köln\nCafé & crème");
  });

  it("HTML entities and tags", () => {
    assert.equal(htmlToText("<b>5 &lt; 6</b>&#33;&#x21;&nbsp;&bogus;").trim(), "5 < 6 !! &bogus;");
  });
});
