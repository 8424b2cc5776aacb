// A plain-text email as raw MIME (RFC 5322 message format, RFC 2045 MIME, RFC 2047 encoded words),
// what Workers' EmailMessage(from, to, raw) takes. Lines end in CRLF (RFC 5322 section 2.1); the
// Subject is UTF-8 in "B" encoded words of at most 75 characters each, folded onto continuation
// lines (RFC 2047 section 2), so no header line passes 78 characters; the body is UTF-8 in base64
// lines of 76 characters (RFC 2045 section 6.8). Message-ID is required by Cloudflare's
// send_email (a message without one is refused) and Date by RFC 5322 (section 3.6).
const CRLF = '\r\n';
// 42 bytes are 56 base64 characters: "=?UTF-8?B?" + 56 + "?=" = 68, and "Subject: " + 68 = 77 <= 78.
const ENCODED_WORD_BYTES = 42;

// A bare address, the form EmailMessage takes (no display name, no angle brackets): the
// characters RFC 5321 allows unquoted, nothing that could end a header line.
export const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

function base64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

// Encoded words split on code point boundaries (a word must hold whole characters, section 5).
export function encodeSubject(subject) {
  const encoder = new TextEncoder();
  const words = [];
  let chunk = [];
  let size = 0;
  const flush = () => {
    if (chunk.length) words.push(`=?UTF-8?B?${base64(encoder.encode(chunk.join('')))}?=`);
    chunk = [];
    size = 0;
  };
  for (const char of subject.replace(/[\r\n\t]+/g, ' ')) {
    const n = encoder.encode(char).length;
    if (size + n > ENCODED_WORD_BYTES) flush();
    chunk.push(char);
    size += n;
  }
  flush();
  return words.join(`${CRLF} `) || '=?UTF-8?B??=';
}

// RFC 5322 date-time, "Mon, 07 Dec 2026 10:25:17 +0000".
export const mailDate = (ms) => new Date(ms).toUTCString().replace(/GMT$/, '+0000');

export function buildMime({ from, to, subject, text, messageId, date, headers = {} }) {
  const body = base64(new TextEncoder().encode(text.replace(/\r?\n/g, CRLF))).replace(/.{1,76}/g, (line) => `${line}${CRLF}`);
  const lines = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${encodeSubject(subject)}`,
    `Date: ${mailDate(date)}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join(CRLF)}${CRLF}${CRLF}${body}`;
}
