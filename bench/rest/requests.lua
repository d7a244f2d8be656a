-- wrk script for bench/rest/run.sh: every request is made as a random user of the benchmark,
-- with that user's token, and asks for rows that user's RLS policies let through.
--   wrk ... -s bench/rest/requests.lua <url> -- <case: pk|embed|insert> <tokens file>
-- The tokens file has one "<user number> <token>" per line. User u is a member of the rooms
-- (10u + j) % 100 + 1 for j = 0..9 (bench/schema.sql); item g is in room g % 100 + 1.
-- run.sh builds the pgbench scripts from the same formulas.

local users = {}
local case

function init(args)
  case = args[1]
  for line in io.lines(args[2]) do
    local u, token = line:match("^(%d+) (%S+)$")
    users[#users + 1] = { u = tonumber(u), auth = "Bearer " .. token }
  end
  -- each thread its own sequence
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16))
end

function request()
  local user = users[math.random(#users)]
  local room_offset = (10 * user.u + math.random(0, 9)) % 100
  if case == "pk" then
    local id = 100 * math.random(1, 999) + room_offset
    return wrk.format("GET", "/rest/v1/bench_items?select=*&id=eq." .. id, { Authorization = user.auth })
  elseif case == "embed" then
    return wrk.format("GET", "/rest/v1/bench_items?select=id,body,bench_rooms(name)&room_id=eq." .. (room_offset + 1)
      .. "&order=created_at.desc&limit=10", { Authorization = user.auth })
  else
    local room = (10 * user.u) % 100 + 1
    return wrk.format("POST", "/rest/v1/bench_items",
      { Authorization = user.auth, ["Content-Type"] = "application/json" },
      '{"room_id":' .. room .. ',"body":"bench insert"}')
  end
end

-- One line for run.sh to read: requests, seconds, p50 and p99 in microseconds, failures.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %.3f %d %d %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
