// Phoenix message framing. vsn 2.0.0 (realtime-js's default): a text frame is the JSON array
// [join_ref, ref, topic, event, payload]; binary frames carry a kind byte, field lengths, then
// the fields and the raw payload (Phoenix's binary serializer). vsn 1.0.0: a JSON object.

const KINDS = { push: 0, reply: 1, broadcast: 2 };
const decoder = new TextDecoder();

export function encode(msg, vsn) {
  if (vsn === '1.0.0') return JSON.stringify(msg);
  return JSON.stringify([msg.join_ref, msg.ref, msg.topic, msg.event, msg.payload]);
}

export function decode(raw, vsn) {
  if (raw instanceof ArrayBuffer || ArrayBuffer.isView(raw)) return decodeBinary(raw instanceof ArrayBuffer ? raw : raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const parsed = JSON.parse(raw);
  if (Array.isArray(parsed)) {
    const [join_ref, ref, topic, event, payload] = parsed;
    return { join_ref, ref, topic, event, payload };
  }
  if (vsn !== '1.0.0' && !parsed) throw new Error('empty frame');
  return parsed;
}

function decodeBinary(buffer) {
  const view = new DataView(buffer);
  const kind = view.getUint8(0);
  const text = (offset, size) => decoder.decode(buffer.slice(offset, offset + size));
  if (kind === KINDS.push) {
    const joinRefSize = view.getUint8(1);
    const topicSize = view.getUint8(2);
    const eventSize = view.getUint8(3);
    let offset = 4;
    const join_ref = text(offset, joinRefSize); offset += joinRefSize;
    const topic = text(offset, topicSize); offset += topicSize;
    const event = text(offset, eventSize); offset += eventSize;
    return { join_ref, ref: null, topic, event, payload: buffer.slice(offset) };
  }
  if (kind === KINDS.reply) {
    const joinRefSize = view.getUint8(1);
    const refSize = view.getUint8(2);
    const topicSize = view.getUint8(3);
    const eventSize = view.getUint8(4);
    let offset = 5;
    const join_ref = text(offset, joinRefSize); offset += joinRefSize;
    const ref = text(offset, refSize); offset += refSize;
    const topic = text(offset, topicSize); offset += topicSize;
    const status = text(offset, eventSize); offset += eventSize;
    return { join_ref, ref, topic, event: 'phx_reply', payload: { status, response: buffer.slice(offset) } };
  }
  if (kind === KINDS.broadcast) {
    const topicSize = view.getUint8(1);
    const eventSize = view.getUint8(2);
    let offset = 3;
    const topic = text(offset, topicSize); offset += topicSize;
    const event = text(offset, eventSize); offset += eventSize;
    return { join_ref: null, ref: null, topic, event, payload: buffer.slice(offset) };
  }
  throw new Error(`unknown binary frame kind ${kind}`);
}
