package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.queue.store.Scripts.Name;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembly of the Lua scripts (LuaAssembly): every assembled script compiles on a real
 * redis-server and uses only what Redis 6.2 has; a script or helper that uses what it does not declare
 * fails Scripts.build; the prelude carries only what a script declares.
 */
class ScriptsTest {

  /** Every command the scripts may call: all in Redis 6.2 (docs/redis.md states the minimum). */
  private static final Set<String> REDIS_6_2 = Set.of("DEL", "EXISTS", "GET", "SET", "INCR", "HGET", "HMGET",
      "HSET", "HGETALL", "HDEL", "HINCRBY", "ZADD", "ZREM", "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGE",
      "ZREVRANGEBYSCORE", "ZCARD", "ZRANK", "ZREMRANGEBYSCORE", "XADD", "PUBLISH", "PEXPIRE", "PERSIST", "PTTL",
      "SADD", "SMEMBERS", "SISMEMBER", "TIME", "RPUSH", "LTRIM", "LINDEX", "LRANGE");

  private static final StoreConfig CFG = StoreConfig.defaults("redis://localhost:6379");
  private static final RedisKeys KEYS = new RedisKeys("t");

  @Test
  void everyAssembledScriptCompilesOnRedis() throws Exception {
    Scripts scripts = Scripts.build(CFG);
    Vertx vertx = Vertx.vertx();
    try (TestRedis server = TestRedis.start()) {
      Redis redis = Redis.createClient(vertx, server.url());
      for (Map.Entry<Name, String> e : scripts.sources().entrySet()) {
        // SCRIPT LOAD compiles the script without running it: a syntax error or a bad name fails here
        String sha = redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(e.getValue()))
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).toString();
        assertThat(sha).as(e.getKey().name()).hasSize(40);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void scriptsUseOnlyWhatRedis62Has() {
    Pattern call = Pattern.compile("redis\\.p?call\\(\\s*([^,)]*)");
    for (Map.Entry<Name, String> e : Scripts.build(CFG).sources().entrySet()) {
      Set<String> used = new TreeSet<>();
      Matcher m = call.matcher(e.getValue());
      while (m.find()) {
        String cmd = m.group(1).strip();
        assertThat(cmd).as(e.getKey() + ": the command of every redis.call is a literal").matches("'[A-Z]+'");
        used.add(cmd.substring(1, cmd.length() - 1));
      }
      assertThat(REDIS_6_2).as(e.getKey() + " calls").containsAll(used);
      String src = e.getValue();
      // Redis 7 additions a script could pick up without a new command
      assertThat(src).as(e.getKey().name())
          .doesNotContainPattern("'P?EXPIRE(AT)?'[^)]*'(NX|XX|GT|LT)'")
          .doesNotContain("redis.REDIS_VERSION")
          .doesNotContain("redis.register_function")
          .doesNotContain("#!lua");
    }
  }

  @Test
  void everyScriptHasAHeader() {
    for (Name n : Name.values()) {
      String src = Scripts.read(n.resource());
      assertThat(src).as(n.name())
          .startsWith("-- " + n.name().toLowerCase() + ": ")
          .contains("\n-- KEYS: ", "\n-- ARGV: ", "\n-- Returns: ", "\n-- Emits: ");
    }
  }

  @Test
  void aCallToAnUndeclaredHelperFailsTheBuild() {
    Function<String, String> read = withScript("lua/claim.lua", s -> s.replace("--! include: claimJobs, claimReply",
        "--! include: claimReply"));
    assertThatThrownBy(() -> Scripts.build(CFG, read)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lua/claim.lua").hasMessageContaining("calls claimJobs() without declaring it");
  }

  @Test
  void aHelperCallingAnUndeclaredHelperFailsTheBuild() {
    Function<String, String> read = withScript("lua/lib.lua", s -> s.replace("--! include: hmget, can\n",
        "--! include: can\n"));
    assertThatThrownBy(() -> Scripts.build(CFG, read)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lua owned").hasMessageContaining("calls hmget() without declaring it");
  }

  @Test
  void anUndeclaredTableFailsTheBuild() {
    Function<String, String> read = withScript("lua/lib.lua", s -> s.replace("--! uses: K, F, EV, ST, C, NOWS\n",
        "--! uses: K, F, EV, ST, NOWS\n"));
    assertThatThrownBy(() -> Scripts.build(CFG, read)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lua completeJob").hasMessageContaining("uses C without declaring it");
  }

  @Test
  void aDeclarationNothingUsesFailsTheBuild() {
    Function<String, String> read = withScript("lua/renew.lua", s -> s.replace("--! uses: K, F, NOW",
        "--! uses: K, F, EV, NOW"));
    assertThatThrownBy(() -> Scripts.build(CFG, read)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("declares '--! uses: EV' but never uses it");
  }

  @Test
  void aNameTheJavaOwnerDoesNotDefineFailsTheBuild() {
    Function<String, String> read = withScript("lua/renew.lua", s -> s.replace("F.LEASE_UNTIL", "F.LEASE_END"));
    assertThatThrownBy(() -> Scripts.build(CFG, read)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("F.LEASE_END is not defined by Job.F");
  }

  @Test
  void thePreludeCarriesOnlyWhatTheScriptUses() {
    Map<Name, String> src = Scripts.build(CFG).sources();
    String renew = src.get(Name.RENEW);
    // owned() and its helpers, nothing else
    assertThat(renew).contains("local function owned(", "local function hmget(", "local function can(")
        .doesNotContain("local function emit(", "local C = {", "K.events =")
        .contains("K.job = function(a1)");
    // F, EV and ST names are inlined as their strings: no table is built per call
    assertThat(renew).contains("h['cancel_requested']").doesNotContain("local F", "'payload'");
    for (Map.Entry<Name, String> e : src.entrySet()) {
      assertThat(e.getValue()).as(e.getKey().name()).doesNotContainPattern("(?<![\\w.:])(F|EV|ST)\\.[A-Z]");
    }
    String unregister = src.get(Name.MACHINE_UNREGISTER);
    assertThat(unregister).doesNotContain("redis.call('TIME')", "local CAN", "local TP");
    String claim = src.get(Name.CLAIM);
    // a helper comes before the helper that calls it: Lua locals must be defined before use
    assertThat(claim.indexOf("local function hmget(")).isLessThan(claim.indexOf("local function emit("));
    assertThat(claim).contains("emit(bestId, seq, 'job_assigned', 'assigned'", "local NOWS");
  }

  @Test
  void onRedisClusterEveryScriptFirstChecksThatItsShardIsNotMovingAndStandaloneNeverDoes() {
    StoreConfig cluster = StoreConfig.defaults("redis-cluster://127.0.0.1:7000").withShards(4);
    for (Map.Entry<Name, String> e : Scripts.build(cluster).sources().entrySet()) {
      String body = e.getValue().substring(e.getValue().indexOf('\n') + 1);
      assertThat(body).as(e.getKey().name()).startsWith(RedisKeys.luaMovingGate());
    }
    assertThat(Scripts.build(CFG).sources().values()).noneMatch(src -> src.contains("moving"));
    // one script set serves every shard: the prefix comes from the declared key, never from the build
    assertThat(Scripts.build(cluster).sources().get(Name.CLAIM)).contains("local P = string.sub(KEYS[1], 1, -7)")
        .doesNotContain("{emp");
  }

  @Test
  void theDumpPropertyWritesEveryAssembledScript(@TempDir Path dir) throws Exception {
    String before = System.getProperty(Scripts.DUMP_PROPERTY);
    System.setProperty(Scripts.DUMP_PROPERTY, dir.toString());
    try {
      Scripts scripts = Scripts.build(CFG);
      assertThat(Files.readString(dir.resolve("claim.lua"))).isEqualTo(scripts.sources().get(Name.CLAIM));
      assertThat(dir.toFile().list()).hasSize(Name.values().length);
    } finally {
      // a dump folder given on the command line (docs/redis.md) stays in force for the other tests
      if (before == null) {
        System.clearProperty(Scripts.DUMP_PROPERTY);
      } else {
        System.setProperty(Scripts.DUMP_PROPERTY, before);
      }
    }
  }

  private static Function<String, String> withScript(String resource, Function<String, String> edit) {
    return r -> {
      String s = Scripts.read(r);
      if (!r.equals(resource)) {
        return s;
      }
      String changed = edit.apply(s);
      assertThat(changed).as("the test's edit applies").isNotEqualTo(s);
      return changed;
    };
  }
}
