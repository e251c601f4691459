/**
 * Total size of the DER element at the start of `der` (header plus content), or
 * undefined when its header is not a definite DER length. The ASN.1 library
 * tolerates trailing bytes and an outer length that disagrees with the data;
 * comparing this with the input size rejects both.
 */
export function outerElementSize(der: Uint8Array): number | undefined {
  const first = der[1];
  if (der.length < 2 || first === undefined) return undefined;
  if (first < 0x80) return 2 + first;
  const lengthBytes = first & 0x7f;
  // 0x80 is BER's indefinite length; more than 4 length bytes is no certificate we handle.
  if (lengthBytes === 0 || lengthBytes > 4 || der.length < 2 + lengthBytes) return undefined;
  let contentLength = 0;
  for (const byte of der.subarray(2, 2 + lengthBytes)) contentLength = contentLength * 256 + byte;
  // DER uses the short form below 128 and no leading zero length octet.
  if (contentLength < 0x80 || der[2] === 0) return undefined;
  return 2 + lengthBytes + contentLength;
}

/** Whether `der` is exactly one element whose outer length matches the data. */
export function isSingleDerElement(der: Uint8Array): boolean {
  return outerElementSize(der) === der.length;
}
