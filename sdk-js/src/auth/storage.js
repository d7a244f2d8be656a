// Where the session is kept between page loads: localStorage in browsers, memory elsewhere.
// Any object with getItem/setItem/removeItem (sync or async) can be passed as auth.storage.

export function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => { items.set(key, value); },
    removeItem: (key) => { items.delete(key); },
  };
}

export function defaultStorage(persistSession) {
  if (persistSession && typeof globalThis.localStorage !== 'undefined') {
    try {
      const probe = '__parley_probe__';
      globalThis.localStorage.setItem(probe, probe);
      globalThis.localStorage.removeItem(probe);
      return globalThis.localStorage;
    } catch {
      // private browsing modes refuse localStorage: fall back to memory
    }
  }
  return memoryStorage();
}
