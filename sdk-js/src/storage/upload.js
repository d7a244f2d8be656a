// The request body of an upload, and upload progress. fetch() reports no upload progress, so
// with onUploadProgress the bytes go through XMLHttpRequest in browsers, and elsewhere through a
// ReadableStream that counts the bytes as the HTTP client pulls them (they are then on their way
// to the socket; the last event comes when the request body is complete).

const CHUNK = 64 * 1024;

/** The bytes of a body whose size is known, or null (a stream, FormData). */
export async function bytesOf(body) {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof Blob !== 'undefined' && body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  return null;
}

function countingStream(bytes, onUploadProgress) {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      const end = Math.min(offset + CHUNK, bytes.length);
      controller.enqueue(bytes.subarray(offset, end));
      offset = end;
      onUploadProgress({ loaded: offset, total: bytes.length });
    },
  });
}

/** Sends with XMLHttpRequest; resolves to a fetch-like Response. */
function xhrSend(method, url, headers, bytes, onUploadProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    new Headers(headers).forEach((v, k) => xhr.setRequestHeader(k, v));
    xhr.upload.onprogress = (e) => onUploadProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : bytes.length });
    xhr.onload = () => resolve(new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText }));
    xhr.onerror = () => reject(new TypeError('Network request failed'));
    xhr.send(bytes);
  });
}

/**
 * A fetch function that reports upload progress for this one request, with the body to give it.
 * In browsers the request goes through XMLHttpRequest; when fetchImpl is the client's
 * authenticated fetch (it has withTransport), XHR becomes its transport so the request keeps the
 * apikey and Authorization headers that fetchImpl adds.
 */
export async function progressRequest(fetchImpl, body, onUploadProgress) {
  const bytes = await bytesOf(body);
  if (!bytes) throw new TypeError('onUploadProgress needs a body of known size (string, ArrayBuffer, typed array or Blob)');
  if (typeof XMLHttpRequest !== 'undefined') {
    const xhrFetch = (url, init) => xhrSend(init.method, url, init.headers, bytes, onUploadProgress);
    const send = typeof fetchImpl.withTransport === 'function' ? fetchImpl.withTransport(xhrFetch) : xhrFetch;
    return { fetch: send, body: bytes, duplex: undefined };
  }
  onUploadProgress({ loaded: 0, total: bytes.length });
  return { fetch: fetchImpl, body: countingStream(bytes, onUploadProgress), duplex: 'half', length: bytes.length };
}
