-- wrk script for `make bench-serve`: every request is a search for a query drawn at random from
-- a list (QUERIES, default scripts/bench/queries.txt: Swedish and English topic words and
-- phrases, prefixes, misspellings), sent with `Cache-Control: no-cache` so that the server
-- searches every time instead of answering from its cache of recent answers.
local path = os.getenv("QUERIES") or "scripts/bench/queries.txt"
local queries = {}

local function encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

for line in io.lines(path) do
  if #line > 0 then queries[#queries + 1] = encode(line) end
end
assert(#queries > 0, "no queries in " .. path)

local headers = { ["Cache-Control"] = "no-cache" }

setup = function(thread)
  thread:set("id", math.random(1, 1000000))
end

init = function(args)
  math.randomseed(os.time() + (id or 0))
end

request = function()
  return wrk.format("GET", "/api/search?q=" .. queries[math.random(1, #queries)], headers)
end
