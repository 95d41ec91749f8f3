package io.emp.jobqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.testing.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules as Prometheus reads them: promtool checks the rules and the scrape config and runs
 * the rules' unit tests (conf/prometheus/alerts_test.yml); every alert has a firing and a silent test
 * case and a runbook in docs/operations.md.
 */
class PrometheusRulesTest {
  static final Path ROOT = Promtool.repoRoot();
  static final Path PROM = ROOT.resolve("conf/prometheus");
  static final Pattern ALERT = Pattern.compile("(?m)^\\s+- alert: (\\w+)\\s*$");

  static List<String> alerts() throws Exception {
    Matcher m = ALERT.matcher(Files.readString(PROM.resolve("alerts.yml")));
    List<String> names = new ArrayList<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  @Test
  void rulesAndScrapeConfigPassPromtoolCheck() {
    Promtool.Result rules = Promtool.run(null, "check", "rules", PROM.resolve("alerts.yml").toString());
    assertThat(rules.exitCode()).as(rules.output()).isZero();
    Promtool.Result config = Promtool.run(null, "check", "config", PROM.resolve("prometheus.yml").toString());
    assertThat(config.exitCode()).as(config.output()).isZero();
  }

  @Test
  void alertUnitTestsPass() {
    Promtool.Result r = Promtool.run(null, "test", "rules", PROM.resolve("alerts_test.yml").toString());
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void theTenContractAlertsAndTheSlaAndAnomalyAlertsAreThere() throws Exception {
    assertThat(alerts()).containsExactlyInAnyOrder("EmpJobLatencyP95High", "EmpHighPriorityQueueWaitHigh",
        "EmpJobErrorRateHigh", "EmpWorkerUtilizationLow", "EmpExternalServiceFailureRateHigh", "EmpTraceDataGaps",
        "EmpMachineStartupSlow", "EmpComponentInstallFailureRateHigh", "EmpBundleDownloadSlow",
        "EmpServiceReadinessSlow", "EmpSlaComplianceBelowObjective", "EmpAnomalyDetected");
  }

  @Test
  void everyAlertHasAFiringAndASilentTestCaseAndARunbook() throws Exception {
    String tests = Files.readString(PROM.resolve("alerts_test.yml"));
    String rules = Files.readString(PROM.resolve("alerts.yml"));
    String ops = Files.readString(ROOT.resolve("docs/operations.md"));
    Set<String> firing = new LinkedHashSet<>();
    Set<String> silent = new LinkedHashSet<>();
    // one block per test case; each names the alert it evaluates and what it expects
    for (String block : tests.split("(?m)^  - name: ")) {
      Matcher a = Pattern.compile("alertname: (\\w+)").matcher(block);
      while (a.find()) {
        String rest = block.substring(a.end());
        String expect = rest.substring(0, Math.min(rest.length(), 80));
        (expect.contains("exp_alerts: []") ? silent : firing).add(a.group(1));
      }
    }
    for (String alert : alerts()) {
      assertThat(firing).as(alert + " has a test case where it fires").contains(alert);
      assertThat(silent).as(alert + " has a test case where it stays silent").contains(alert);
      assertThat(rules).as(alert + " links its runbook")
          .contains("runbook_url: \"docs/operations.md#" + alert.toLowerCase() + "\"");
      assertThat(ops).as("docs/operations.md has a runbook section for " + alert).contains("### " + alert);
    }
  }

  @Test
  void everyCatalogueFamilyIsDocumentedInOperationsMd() throws Exception {
    String ops = Files.readString(ROOT.resolve("docs/operations.md"));
    for (io.emp.jobqueue.core.metrics.MetricNames.Def d : io.emp.jobqueue.core.metrics.MetricNames.ALL) {
      assertThat(ops).as(d.family() + " has a row in docs/operations.md").contains("| `" + d.family() + "` |");
    }
  }
}
