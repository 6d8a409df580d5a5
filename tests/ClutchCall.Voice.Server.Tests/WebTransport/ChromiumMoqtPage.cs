namespace ClutchCall.Voice.Server.Tests.WebTransport;

/// <summary>
/// The page Chromium runs: WebTransport to the relay with <c>serverCertificateHashes</c>, then a draft-14 MoQT
/// subscriber written from the draft (draft-ietf-moq-transport-14 §9.3 CLIENT_SETUP, §9.7 SUBSCRIBE, §9.8
/// SUBSCRIBE_OK, §10.4.2 subgroup streams), independent of our C# codec. It reports what it received as JSON.
/// </summary>
internal static class ChromiumMoqtPage
{
    public static string Render(string url, string hashBase64, string sid, int wanted) => Template
        .Replace("__URL__", url, StringComparison.Ordinal)
        .Replace("__HASH__", hashBase64, StringComparison.Ordinal)
        .Replace("__SID__", sid, StringComparison.Ordinal)
        .Replace("__WANTED__", wanted.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private const string Template = """
<!doctype html>
<html><head><meta charset="utf-8"><title>moqt over webtransport</title></head><body>
<script>
const log = (m) => fetch('/log', { method: 'POST', body: String(m) }).catch(() => {});
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

// RFC 9000 §16 varints; BigInt inside, Number out (values here stay far below 2^53).
function varint(n) {
  n = BigInt(n);
  if (n < 64n) return [Number(n)];
  if (n < 16384n) return [0x40 | Number(n >> 8n), Number(n & 0xffn)];
  if (n < (1n << 30n)) return [0x80 | Number(n >> 24n), Number((n >> 16n) & 0xffn), Number((n >> 8n) & 0xffn), Number(n & 0xffn)];
  const out = [0xc0 | Number(n >> 56n)];
  for (let s = 48n; s >= 0n; s -= 8n) out.push(Number((n >> s) & 0xffn));
  return out;
}
const lp = (bytes) => [...varint(bytes.length), ...bytes];
const text = (s) => [...new TextEncoder().encode(s)];
// draft-14 §9: Message Type (i), Message Length (16), Payload.
const message = (type, payload) => new Uint8Array([...varint(type), payload.length >> 8, payload.length & 0xff, ...payload]);

class StreamReader {
  constructor(readable) { this.r = readable.getReader(); this.buf = new Uint8Array(0); }
  async fill() {
    const { value, done } = await this.r.read();
    if (done) return false;
    const b = new Uint8Array(this.buf.length + value.length); b.set(this.buf); b.set(value, this.buf.length); this.buf = b;
    return true;
  }
  async need(n) { while (this.buf.length < n) if (!(await this.fill())) throw new Error('stream ended'); }
  async bytes(n) { await this.need(n); const out = this.buf.slice(0, n); this.buf = this.buf.slice(n); return out; }
  async u8() { return (await this.bytes(1))[0]; }
  async u16() { const b = await this.bytes(2); return (b[0] << 8) | b[1]; }
  async varint() {
    await this.need(1);
    const b = await this.bytes(1 << (this.buf[0] >> 6));
    let v = BigInt(b[0] & 0x3f);
    for (let i = 1; i < b.length; i++) v = (v << 8n) | BigInt(b[i]);
    return Number(v);
  }
  async atEnd() { return this.buf.length === 0 && !(await this.fill()); }
}
class Bytes {
  constructor(b) { this.b = b; this.p = 0; }
  varint() { const len = 1 << (this.b[this.p] >> 6); let v = BigInt(this.b[this.p] & 0x3f); for (let i = 1; i < len; i++) v = (v << 8n) | BigInt(this.b[this.p + i]); this.p += len; return Number(v); }
  end() { return this.p >= this.b.length; }
}
const b64 = (u8) => btoa(String.fromCharCode(...u8));

async function run() {
  const hash = Uint8Array.from(atob('__HASH__'), c => c.charCodeAt(0));
  const t0 = performance.now();
  const wt = new WebTransport('__URL__', { serverCertificateHashes: [{ algorithm: 'sha-256', value: hash }], protocols: ['moq-00'] });
  await wt.ready;
  const readyMs = performance.now() - t0;
  log('webtransport ready in ' + readyMs.toFixed(1) + ' ms, protocol ' + wt.protocol);

  const control = await wt.createBidirectionalStream();
  const writer = control.writable.getWriter();
  const reader = new StreamReader(control.readable);
  // §9.3 CLIENT_SETUP (0x20): versions [draft-14 = 0xff00000e]; parameters: MAX_REQUEST_ID (0x02) = 100.
  await writer.write(message(0x20, [...varint(1), ...varint(0xff00000e), ...varint(1), ...varint(0x02), ...varint(100)]));
  const setupType = await reader.varint();
  const setupPayload = new Bytes(await reader.bytes(await reader.u16()));
  if (setupType !== 0x21) throw new Error('expected SERVER_SETUP, got 0x' + setupType.toString(16));
  const version = setupPayload.varint();
  const setupMs = performance.now() - t0;
  log('SERVER_SETUP version 0x' + version.toString(16));

  // §9.7 SUBSCRIBE (0x03): request 0, namespace ("voice", sid), track "uplink", priority 128, publisher order,
  // forward 1, filter LargestObject (0x2), no parameters.
  await writer.write(message(0x03, [
    ...varint(0), ...varint(2), ...lp(text('voice')), ...lp(text('__SID__')), ...lp(text('uplink')),
    128, 0, 1, ...varint(0x2), ...varint(0)]));
  let alias = -1;
  while (alias < 0) {
    const type = await reader.varint();
    const payload = new Bytes(await reader.bytes(await reader.u16()));
    if (type === 0x04) { payload.varint(); alias = payload.varint(); }          // §9.8 SUBSCRIBE_OK
    else if (type === 0x05) throw new Error('SUBSCRIBE_ERROR ' + payload.varint() + ' code ' + payload.varint());
    else log('control message 0x' + type.toString(16) + ' skipped');
  }
  log('SUBSCRIBE_OK alias ' + alias);

  const objects = [];
  const wanted = __WANTED__;
  let finish;
  const finished = new Promise(r => finish = r);
  const streams = wt.incomingUnidirectionalStreams.getReader();
  (async () => {
    while (objects.length < wanted) {
      const { value, done } = await streams.read();
      if (done) break;
      readSubgroup(value).catch(e => log('subgroup stream: ' + e));
    }
  })();
  async function readSubgroup(readable) {
    const r = new StreamReader(readable);
    // §10.4.2 subgroup header: type 0x10..0x1d, track alias, group, [subgroup], publisher priority.
    const type = await r.varint();
    const hasExtensions = (type & 1) !== 0, mode = (type >> 1) & 3;
    const trackAlias = await r.varint(), group = await r.varint();
    if (mode === 2) await r.varint();
    await r.u8();
    if (trackAlias !== alias) throw new Error('unexpected alias ' + trackAlias);
    let last = -1;
    while (!(await r.atEnd())) {
      const delta = await r.varint();
      const id = last < 0 ? delta : last + delta + 1;
      last = id;
      let ts = -1;
      if (hasExtensions) {
        const ext = new Bytes(await r.bytes(await r.varint()));
        while (!ext.end()) {
          const key = ext.varint();
          if (key % 2 === 0) { const v = ext.varint(); if (key === 0x4356) ts = v; }
          else { const len = ext.varint(); ext.p += len; }
        }
      }
      const length = await r.varint();
      if (length === 0) { await r.varint(); continue; }
      const payload = await r.bytes(length);
      objects.push({ group, object: id, timestampUs: ts, receivedUs: nowUs(), payload: b64(payload) });
      if (objects.length >= wanted) finish();
    }
  }
  await finished;
  wt.close({ closeCode: 7, reason: 'page done' });
  const closed = await wt.closed;
  return { protocol: wt.protocol, readyMs, setupMs, version, alias, closed, objects };
}
run().then(
  r => fetch('/result', { method: 'POST', body: JSON.stringify(r) }),
  e => fetch('/result', { method: 'POST', body: JSON.stringify({ error: String(e && e.stack || e) }) }));
</script></body></html>
""";
}
