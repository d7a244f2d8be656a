// What the REST and realtime checks share: named checks that report ok/not ok and keep going,
// and the exit status that says whether any failed.
let failures = 0

export async function check(name, body) {
  try {
    await body()
    console.log(`ok - ${name}`)
  } catch (e) {
    failures++
    console.log(`not ok - ${name}: ${e.message.split('\n').slice(0, 6).join(' | ')}`)
  }
}

export function exitWithResult() {
  process.exit(failures ? 1 : 0)
}
