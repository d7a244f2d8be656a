// Sign-in throughput: creates USERS accounts through the admin API, then runs REQUESTS password
// sign-ins (POST /auth/v1/token?grant_type=password) with CONCURRENCY in flight, then as many
// refreshes of the sessions it got. Prints throughput and latency percentiles. No dependencies.
//   PARLEY_URL=... PARLEY_ANON_KEY=... PARLEY_SERVICE_KEY=... node signin.mjs [requests] [concurrency]
const url = process.env.PARLEY_URL
const anon = process.env.PARLEY_ANON_KEY
const service = process.env.PARLEY_SERVICE_KEY
const requests = Number(process.argv[2] ?? 200)
const concurrency = Number(process.argv[3] ?? 4)
const users = 50

async function call(path, body, key) {
  const res = await fetch(`${url}/auth/v1${path}`, {
    method: 'POST',
    headers: { apikey: anon, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = await res.json()
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

async function timed(label, n, work) {
  const latencies = []
  let next = 0
  const start = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++
      const t = performance.now()
      await work(i)
      latencies.push(performance.now() - t)
    }
  }))
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(0)
  console.log(`${label}: ${n} in ${seconds.toFixed(1)} s = ${(n / seconds).toFixed(1)}/s at concurrency ${concurrency};`
    + ` latency p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`)
}

const run = Date.now()
const emails = []
for (let i = 0; i < users; i++) {
  const email = `bench-${run}-${i}@example.com`
  await call('/admin/users', { email, password: 'bench-password', email_confirm: true }, service)
  emails.push(email)
}
const refreshTokens = []
await timed('password sign-in', requests, async (i) => {
  const s = await call('/token?grant_type=password', { email: emails[i % users], password: 'bench-password' }, anon)
  refreshTokens.push(s.refresh_token)
})
await timed('refresh (rotation)', refreshTokens.length, async (i) => {
  await call('/token?grant_type=refresh_token', { refresh_token: refreshTokens[i] }, anon)
})
