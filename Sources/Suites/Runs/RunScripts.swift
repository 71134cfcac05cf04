import AssayRedis

/// The Lua scripts of ``RedisWorkQueue``. Each runs atomically on the run's slot.
enum RunScripts {
    /// KEYS: meta, cases. ARGV: group, ttl seconds, then meta field/value pairs.
    /// Creates the run's meta (unless present) and consumer group; returns how many cases are seeded.
    static let create = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 0 then
          redis.call('HSET', KEYS[1], unpack(ARGV, 3))
        end
        redis.pcall('XGROUP', 'CREATE', KEYS[2], ARGV[1], '0', 'MKSTREAM')
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        redis.call('EXPIRE', KEYS[2], ARGV[2])
        return tonumber(redis.call('HGET', KEYS[1], 'seeded') or '0')
        """)

    /// KEYS: meta, cases. ARGV: first work item index, ttl seconds, then per work item its case's
    /// JSON and its repeat. Appends the items at and after `seeded` with ids `0-<index + 1>`, so
    /// seeding twice, or two seeders racing, queue each (case, repeat) once. Returns the number added.
    static let seed = RedisScript(
        """
        local seeded = tonumber(redis.call('HGET', KEYS[1], 'seeded') or '0')
        local first = tonumber(ARGV[1])
        local added = 0
        for j = 3, #ARGV, 2 do
          local index = first + (j - 3) / 2
          if index == seeded then
            redis.call('XADD', KEYS[2], '0-' .. (index + 1), 'case', ARGV[j], 'repeat', ARGV[j + 1])
            seeded = seeded + 1
            added = added + 1
          end
        end
        redis.call('HSET', KEYS[1], 'seeded', seeded)
        redis.call('EXPIRE', KEYS[2], ARGV[2])
        return added
        """)

    /// Keys' time to live is refreshed on the first result, every this many results and on the last,
    /// not on every result: the keys live days (`resultTTL`), so a refresh per 64 results keeps
    /// the same bound at 1/64 of the `EXPIRE` commands. (Our choice.)
    static let expiryRefreshEvery = 64

    /// KEYS: cases, meta, recorded, results, counters, then latency and failing per target.
    /// ARGV: group, ttl seconds, case count n, target count, the run's total (0 if unknown), the
    /// budget's maxTokens and maxCost ('' for the meta's: an evaluator pod that did not seed the
    /// run does not know its budget, the operator wrote it there); then
    /// per case its entry id, record key (the case id, with its repeat after the first) and result JSON, per target its latency ('' when the result
    /// has none) and 1 if it failed, then the number of counters and their name/amount pairs.
    ///
    /// Records, in one atomic step, each case of the batch that has no result yet (the `recorded`
    /// hash is the exactly-once guard), adds the recorded ones to the aggregates (counters summed
    /// in recording order, so a recount of the results gives the same doubles) and acknowledges
    /// every entry. Once the spent tokens or cost reach the budget it marks the run's meta
    /// `budgetExceeded` (every evaluator stops claiming). Returns -1 when the run is cancelled
    /// (nothing written), else per case 1 recorded or 0 duplicate, then 2 if the budget is spent.
    /// About ten commands per batch, whatever its size.
    static let record = RedisScript(
        """
        local flags = redis.call('HMGET', KEYS[2], 'cancelled', 'budgetExceeded', 'maxTokens', 'maxCost')
        if flags[1] == '1' then return -1 end
        local spent = flags[2] == '1'
        local n, targets, total = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        local maxTokens = tonumber(ARGV[6]) or tonumber(flags[3] or '')
        local maxCost = tonumber(ARGV[7]) or tonumber(flags[4] or '')
        local cases, ids, entries = {}, {}, {}
        local i = 8
        for c = 1, n do
          local case = {entry = ARGV[i], id = ARGV[i + 1], json = ARGV[i + 2], latency = {}, failed = {}, counters = {}}
          i = i + 3
          for t = 1, targets do
            case.latency[t], case.failed[t] = ARGV[i], ARGV[i + 1]
            i = i + 2
          end
          local k = tonumber(ARGV[i])
          for j = 1, 2 * k do case.counters[j] = ARGV[i + j] end
          i = i + 1 + 2 * k
          cases[c], ids[c], entries[c] = case, case.id, case.entry
        end
        local seen = redis.call('HMGET', KEYS[3], unpack(ids))
        local outcomes, taken, fresh, guard, results = {}, {}, {}, {}, {}
        local latency, failing, fields, known = {}, {}, {}, {}
        for t = 1, targets do latency[t], failing[t] = {}, {} end
        for c = 1, n do
          local case = cases[c]
          if seen[c] == false and not taken[case.id] then
            taken[case.id] = true
            outcomes[c] = 1
            fresh[#fresh + 1] = case
            guard[#guard + 1], guard[#guard + 2] = case.id, case.entry
            results[#results + 1] = case.json
            for t = 1, targets do
              if case.latency[t] ~= '' then
                local l = latency[t]
                l[#l + 1], l[#l + 2] = case.latency[t], case.id
              end
              if case.failed[t] == '1' then
                local f = failing[t]
                f[#f + 1], f[#f + 2] = 0, case.id
              end
            end
            for j = 1, #case.counters, 2 do
              local field = case.counters[j]
              if not known[field] then
                known[field] = true
                fields[#fields + 1] = field
              end
            end
          else
            outcomes[c] = 0
          end
        end
        if #fresh > 0 then
          redis.call('HSET', KEYS[3], unpack(guard))
          redis.call('RPUSH', KEYS[4], unpack(results))
          for t = 1, targets do
            if #latency[t] > 0 then redis.call('ZADD', KEYS[4 + 2 * t], unpack(latency[t])) end
            if #failing[t] > 0 then redis.call('ZADD', KEYS[5 + 2 * t], unpack(failing[t])) end
          end
          local current = redis.call('HMGET', KEYS[5], unpack(fields))
          local sums = {}
          for f = 1, #fields do sums[fields[f]] = tonumber(current[f]) or 0 end
          local before = sums['cases'] or 0
          for _, case in ipairs(fresh) do
            for j = 1, #case.counters, 2 do
              local field = case.counters[j]
              sums[field] = sums[field] + tonumber(case.counters[j + 1])
            end
          end
          local writes = {}
          for f = 1, #fields do
            writes[2 * f - 1], writes[2 * f] = fields[f], string.format('%.17g', sums[fields[f]])
          end
          redis.call('HSET', KEYS[5], unpack(writes))
          if not spent and ((maxTokens and (sums['spent:tokens'] or 0) >= maxTokens)
              or (maxCost and (sums['spent:cost'] or 0) >= maxCost)) then
            spent = true
            redis.call('HSET', KEYS[2], 'budgetExceeded', '1')
          end
          local after, every = sums['cases'] or 0, \(expiryRefreshEvery)
          if before == 0 or math.floor(before / every) ~= math.floor(after / every) or (total > 0 and after >= total) then
            for k = 1, #KEYS do redis.call('EXPIRE', KEYS[k], ARGV[2]) end
          end
        end
        redis.call('XACK', KEYS[1], ARGV[1], unpack(entries))
        if spent then outcomes[n + 1] = 2 end
        return outcomes
        """)

    /// KEYS: cases, recorded, results, counters, then latency and failing per target. ARGV: the
    /// length of `results` the caller read (if it changed, nothing is done and -1 returned: the
    /// counters below would be stale), the number n of results to retry; per result its record key, its stored JSON, its case's JSON
    /// and its repeat; then the counters of the results kept (name/amount pairs).
    ///
    /// Takes each result back out of the run (its `recorded` guard, its place in `results`, its
    /// latency and failing entries) and queues its (case, repeat) again as a new stream entry,
    /// then writes the counters as the recount of the results kept: in one atomic step, so every
    /// aggregate counts each case once, before and after. Returns the number of entries queued.
    static let requeue = RedisScript(
        """
        if redis.call('LLEN', KEYS[3]) ~= tonumber(ARGV[1]) then return -1 end
        local n = tonumber(ARGV[2])
        local i, queued = 3, 0
        for c = 1, n do
          local key, json, case, rep = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
          i = i + 4
          if redis.call('HDEL', KEYS[2], key) == 1 then
            redis.call('LREM', KEYS[3], 1, json)
            for k = 5, #KEYS do redis.call('ZREM', KEYS[k], key) end
            redis.call('XADD', KEYS[1], '*', 'case', case, 'repeat', rep)
            queued = queued + 1
          end
        end
        if queued > 0 then
          redis.call('DEL', KEYS[4])
          if #ARGV >= i then redis.call('HSET', KEYS[4], unpack(ARGV, i)) end
        end
        return queued
        """)

    /// KEYS: cases. ARGV: the group, the consumer, then the entry ids the consumer believes it holds.
    ///
    /// The heartbeat: resets the idle time of each entry still pending under this consumer (one
    /// `XCLAIM … JUSTID` over them) and returns the ids that are not: taken over by another
    /// consumer while this one stalled past the visibility timeout, or acknowledged. A bare
    /// `XCLAIM` would take those back from the consumer now working on them.
    static let beat = RedisScript(
        """
        local mine, lost = {}, {}
        for i = 3, #ARGV do
          local entry = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)[1]
          if entry and entry[2] == ARGV[2] then mine[#mine + 1] = ARGV[i] else lost[#lost + 1] = ARGV[i] end
        end
        if #mine > 0 then
          mine[#mine + 1] = 'JUSTID'
          redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(mine))
        end
        return lost
        """)

    /// KEYS: meta. Marks an existing run cancelled (a missing run stays missing); returns 1 if marked.
    static let cancel = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'cancelled', '1')
        return 1
        """)
}
