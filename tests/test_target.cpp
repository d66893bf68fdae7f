// Hardware targets and the roofline: detection parsing, the target file format, resolution (built-in spec table,
// user overrides, measured targets), the roof arithmetic and the row columns, and peak_bench's measured targets.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/input_error.hpp"
#include "harness/case_runner.hpp"
#include "peak/measured_target.hpp"
#include "target/cpu_peaks.hpp"
#include "target/roofline.hpp"
#include "target/target_set.hpp"

namespace dlbench {
namespace {

namespace fs = std::filesystem;

const char* kCpuinfo =
    "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n"
    "cpu MHz\t\t: 2000.000\nflags\t\t: fpu sse2 avx fma avx2 avx512f avx512_bf16 avx512_vnni amx_bf16 amx_tile "
    "amx_int8 avx512_fp16\n\nprocessor\t: 1\nmodel name\t: ignored\n";

DeviceIdentity xeon(int cores, int threads) {
  DeviceIdentity cpu;
  cpu.kind = DeviceKind::cpu;
  parse_cpuinfo(kCpuinfo, cpu);
  cpu.units = cores;
  cpu.threads = threads;
  return cpu;
}

DeviceIdentity gpu(const std::string& name, const std::string& pci) {
  DeviceIdentity g;
  g.kind = DeviceKind::gpu;
  g.name = name;
  g.pci_id = pci;
  g.units = 132;
  g.clock_mhz = 1980;
  g.memory_gbps = 4814.4;
  g.l2_mb = 62.9;
  return g;
}

std::string csv_row(const CsvRow& row, const std::string& key) {
  for (const auto& [k, v] : row)
    if (k == key) return v;
  return "<absent>";
}

std::string error_of(const std::string& text) {
  try {
    parse_targets(text, "t.csv");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const std::string kHeader =
    "id,name,match,kind,source,units,clock_mhz,fp64,fp32,tf32,fp16,bf16,fp8,int8,memory_gbps,l2_mb,link_gbps,citation\n";

TEST(Hardware, ParsesCpuinfo) {
  const DeviceIdentity cpu = xeon(2, 0);
  EXPECT_EQ(cpu.name, "Intel(R) Xeon(R) Platinum 8480+");
  EXPECT_EQ(cpu.clock_mhz, 2000);
  EXPECT_TRUE(cpu.has_isa("avx512f"));
  EXPECT_TRUE(cpu.has_isa("amx_bf16"));
  EXPECT_FALSE(cpu.has_isa("sse2"));  // only the flags that change a peak are kept
  DeviceIdentity none;
  parse_cpuinfo("", none);
  EXPECT_EQ(none.name, "unknown CPU");
  EXPECT_EQ(slug("Intel(R) Xeon(R) Platinum 8480+"), "intel-xeon-platinum-8480plus");
  EXPECT_EQ(slug("NVIDIA H100 80GB HBM3"), "nvidia-h100-80gb-hbm3");
  EXPECT_NEAR(parse_cache_size_mb("16384K"), 16.777216, 1e-9);
  EXPECT_NEAR(parse_cache_size_mb("300 MiB"), 314.5728, 1e-9);
  EXPECT_NEAR(parse_cache_size_mb("1048576"), 1.048576, 1e-9);  // no unit: bytes
  EXPECT_EQ(parse_cache_size_mb(""), 0);
}

TEST(Hardware, DetectsThisHost) {
  const DeviceIdentity cpu = host_cpu(3);
  EXPECT_EQ(cpu.kind, DeviceKind::cpu);
  EXPECT_GE(cpu.units, 1);
  EXPECT_EQ(cpu.threads, 3);
  EXPECT_FALSE(cpu.name.empty());
}

TEST(CpuPeaks, CoresTimesClockTimesIsaRate) {
  const DeviceIdentity cpu = xeon(2, 0);
  EXPECT_EQ(cpu_flops_per_cycle(cpu, "fp32"), 64);
  EXPECT_EQ(cpu_flops_per_cycle(cpu, "fp64"), 32);
  EXPECT_EQ(cpu_flops_per_cycle(cpu, "bf16"), 1024);
  EXPECT_EQ(cpu_flops_per_cycle(cpu, "int8"), 2048);
  EXPECT_EQ(cpu_flops_per_cycle(cpu, "fp16"), 128);  // avx512_fp16 but no amx_fp16
  EXPECT_EQ(cpu_flops_per_cycle(cpu, "tf32"), 0);
  DeviceIdentity avx2 = cpu;
  avx2.isa = {"fma", "avx2"};
  EXPECT_EQ(cpu_flops_per_cycle(avx2, "fp32"), 32);
  EXPECT_EQ(cpu_flops_per_cycle(avx2, "bf16"), 0);

  const Target t = computed_cpu_target(cpu);
  EXPECT_EQ(t.id, "cpu-intel-xeon-platinum-8480plus-2c");
  EXPECT_EQ(t.source, "spec");
  EXPECT_DOUBLE_EQ(t.peak("fp32"), 2 * 2000e6 * 64 / 1e12);
  EXPECT_DOUBLE_EQ(t.peak("bf16"), 2 * 2000e6 * 1024 / 1e12);
  EXPECT_TRUE(std::isnan(t.peak("tf32")));
  EXPECT_TRUE(std::isnan(t.memory_gbps));  // not in CPUID: peak_bench measures it
  EXPECT_TRUE(t.matches(cpu));
}

TEST(TargetFile, ParsesAndFormatsBack) {
  const auto targets = parse_targets(
      "# comment\n" + kHeader +
          "x,Part X,pci:10DE:1234|name:Card X,gpu,spec,10,1000,1,2,,4,4,,8,100,5,50,\"doc, p. 3\"\n",
      "t.csv");
  ASSERT_EQ(targets.size(), 1u);
  const Target& t = targets[0];
  EXPECT_EQ(t.units, 10);
  EXPECT_EQ(t.peak("fp32"), 2);
  EXPECT_TRUE(std::isnan(t.peak("tf32")));
  EXPECT_EQ(t.link_gbps, 50);
  EXPECT_EQ(t.citation, "doc, p. 3");
  EXPECT_EQ(t.origin, "t.csv:3");
  EXPECT_TRUE(t.matches(gpu("other name", "10de:1234")));  // PCI ids without case
  EXPECT_TRUE(t.matches(gpu("Card X", "")));
  EXPECT_FALSE(t.matches(gpu("Card Y", "10de:9999")));
  EXPECT_FALSE(t.matches(xeon(2, 0)));

  const auto back = parse_targets(format_targets(targets, "line one\nline two"), "back.csv");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].peaks, t.peaks);
  EXPECT_EQ(back[0].citation, t.citation);
  EXPECT_EQ(back[0].match, t.match);
  EXPECT_EQ(back[0].memory_gbps, 100);
}

TEST(TargetFile, BadInputNamesFileLineAndField) {
  EXPECT_NE(error_of(kHeader + "x,X,pci:10de:1,tpu,spec,,,,,,,,,,,,,\n").find("t.csv:2: field 'kind'"),
            std::string::npos);
  EXPECT_NE(error_of(kHeader + "x,X,pci:10de:1,gpu,guessed,,,,,,,,,,,,,\n").find("field 'source'"),
            std::string::npos);
  EXPECT_NE(error_of(kHeader + "x,X,serial:1,gpu,spec,,,,,,,,,,,,,\n").find("field 'match'"), std::string::npos);
  EXPECT_NE(error_of(kHeader + "x,X,cpu:Foo,gpu,spec,,,,,,,,,,,,,\n").find("cannot identify a gpu"),
            std::string::npos);
  EXPECT_NE(error_of(kHeader + "x,X,pci:10de:1,gpu,spec,,,,-3,,,,,,,,,\n").find("field 'fp32'"), std::string::npos);
  EXPECT_NE(error_of(kHeader + "x,X,pci:10de:1,gpu,spec,,,,abc,,,,,,,,,\n").find("field 'fp32'"), std::string::npos);
  EXPECT_NE(error_of(kHeader + "x,X,pci:10de:1,gpu,spec,,,,,,,,,,,,,\nx,Y,pci:10de:2,gpu,spec,,,,,,,,,,,,,\n")
                .find("t.csv:3: field 'id'"),
            std::string::npos);
  EXPECT_NE(error_of("id,match,kind,source,fp33\nx,pci:1:2,gpu,spec,1\n").find("unknown column 'fp33'"),
            std::string::npos);
  EXPECT_NE(error_of("id,match,kind\nx,pci:1:2,gpu\n").find("missing column 'source'"), std::string::npos);
  try {
    load_targets("/nonexistent/t.csv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/t.csv"), std::string::npos);
  }
}

TEST(TargetSet, BuiltInTableKnowsTheTestMachinesParts) {
  const TargetSet set;
  const ResolvedTarget h200 = set.resolve(gpu("NVIDIA H200", "10de:2335"));
  EXPECT_EQ(h200.id, "nvidia-h200-sxm-141gb");
  ASSERT_TRUE(h200.spec);
  EXPECT_NEAR(h200.spec->peak("bf16"), 989.4, 1);
  EXPECT_NEAR(h200.spec->memory_gbps, 4800, 1);
  EXPECT_NEAR(h200.spec->l2_mb, 62.9, 0.1);  // the table leaves it empty: the device's own figure stays
  EXPECT_FALSE(h200.measured);
  const ResolvedTarget h100 = set.resolve(gpu("NVIDIA H100 80GB HBM3", "10de:2330"));
  EXPECT_NEAR(h100.spec->peak("fp8"), 1978.9, 1);
  // Every row's peaks must be dense: a sparse figure would be about four times the next-wider precision's
  // dense one, where datasheets show about twice (L40S: 733 fp8 against 362.05 bf16).
  for (const auto& part : parse_targets(builtin_specs_text(), "specs.csv")) {
    if (!std::isnan(part.peak("fp8")) && !std::isnan(part.peak("bf16")))
      EXPECT_LE(part.peak("fp8"), 2.5 * part.peak("bf16")) << part.id;
    if (!std::isnan(part.peak("bf16")) && !std::isnan(part.peak("tf32")))
      EXPECT_LE(part.peak("bf16"), 2.5 * part.peak("tf32")) << part.id;
    EXPECT_FALSE(part.citation.empty()) << part.id << " has no citation";
  }
}

TEST(TargetSet, UnknownGpuGetsItsAttributeBandwidthOnly) {
  const TargetSet set;
  const ResolvedTarget r = set.resolve(gpu("Mystery GPU", "1234:5678"));
  EXPECT_EQ(r.id, "gpu-mystery-gpu");
  EXPECT_NEAR(r.spec->memory_gbps, 4814.4, 1e-9);
  EXPECT_TRUE(r.spec->peaks.empty());
  EXPECT_TRUE(set.resolve(DeviceIdentity{}).id.empty());
}

TEST(TargetSet, UserRowsOverlaySpecsAndTheLastMeasurementWins) {
  TargetSet set;
  set.add(parse_targets(kHeader + "mine,My Xeon,cpu:Intel(R) Xeon(R) Platinum 8480+,cpu,spec,,,,,,,,,,250,,,my doc\n"
                            "m1,old,cpu:Intel(R) Xeon(R) Platinum 8480+,cpu,measured,2,,,0.1,,,,,,10,,,run 1\n",
                        "a.csv"));
  set.add(parse_targets(kHeader + "m2,new,cpu:Intel(R) Xeon(R) Platinum 8480+,cpu,measured,2,,,0.3,,,,,,30,,,run 2\n",
                        "b.csv"));
  const ResolvedTarget r = set.resolve(xeon(2, 2));
  EXPECT_EQ(r.id, "mine");
  EXPECT_EQ(r.spec->memory_gbps, 250);                      // from the user's row
  EXPECT_DOUBLE_EQ(r.spec->peak("fp32"), 2 * 2000e6 * 64 / 1e12);  // still computed
  ASSERT_TRUE(r.measured);
  EXPECT_EQ(r.measured->citation, "run 2");
  EXPECT_NE(r.describe().find("b.csv"), std::string::npos);
  ASSERT_EQ(set.sources().size(), 3u);
  EXPECT_NE(set.sources()[1].find("a.csv"), std::string::npos);
}

TEST(TargetSet, LoadsNamedFilesElseTheTargetDirectory) {
  const fs::path dir = fs::temp_directory_path() / ("dlbench_targets_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.csv") << kHeader << "m,X,pci:10de:2335,gpu,measured,132,,,,,,700,,,4000,,,x\n";
  std::ofstream(dir / "notes.txt") << "not a target file";
  ::setenv("DLBENCH_TARGET_DIR", dir.c_str(), 1);
  EXPECT_EQ(default_target_dir(), dir.string());
  EXPECT_TRUE(load_target_set({}).resolve(gpu("NVIDIA H200", "10de:2335")).measured);
  // Named files replace the directory.
  std::ofstream(dir / "other.csv.in") << kHeader << "n,Y,pci:10de:2335,gpu,measured,132,,,,,,600,,,3000,,,y\n";
  const auto named = load_target_set({(dir / "other.csv.in").string()}).resolve(gpu("NVIDIA H200", "10de:2335"));
  ASSERT_TRUE(named.measured);
  EXPECT_EQ(named.measured->id, "n");
  std::ofstream(dir / "b.csv") << "id,match\n";
  EXPECT_THROW(load_target_set({}), InputError);
  ::unsetenv("DLBENCH_TARGET_DIR");
  fs::remove_all(dir);
}

TEST(Roofline, PlacesComputeAndMemoryBoundRows) {
  const Roof roof{100, 1000};  // ridge 100 FLOP/byte
  const RoofQuery q{"bf16"};
  RoofPosition p = place(roof, q, 400, 80, 200);
  EXPECT_TRUE(p.placed);
  EXPECT_EQ(p.bound, "compute");
  EXPECT_DOUBLE_EQ(p.ridge, 100);
  EXPECT_DOUBLE_EQ(p.roof_tflops, 100);
  EXPECT_DOUBLE_EQ(p.pct, 80);
  p = place(roof, q, 10, 5, 500);
  EXPECT_EQ(p.bound, "memory");
  EXPECT_DOUBLE_EQ(p.roof_tflops, 10);  // 10 FLOP/byte × 1000 GB/s
  EXPECT_DOUBLE_EQ(p.pct, 50);          // 500 of 1000 GB/s, the same as 5 of 10 TFLOP/s
  p = place(roof, q, 0, 0, 900);        // a copy: no FLOPs, still a fraction of the bandwidth
  EXPECT_DOUBLE_EQ(p.pct, 90);
  EXPECT_FALSE(place(Roof{NAN, 1000}, q, 10, 1, 1).placed);
  EXPECT_TRUE(std::isnan(place(roof, q, 400, NAN, NAN).pct));
  RoofQuery link;
  link.link = true;
  link.link_factor = 1.5;  // 4 ranks
  p = place(Roof{NAN, 400}, link, 0, 0, 200);
  EXPECT_EQ(p.bound, "link");
  EXPECT_DOUBLE_EQ(p.pct, 75);
}

TEST(Roofline, CpuRowsGetTheirThreadsShareOfTheComputePeak) {
  Target t = computed_cpu_target(xeon(4, 0));
  t.memory_gbps = 100;
  EXPECT_DOUBLE_EQ(roof_of(t, {"fp32"}, xeon(4, 1)).tflops, t.peak("fp32") / 4);
  EXPECT_DOUBLE_EQ(roof_of(t, {"fp32"}, xeon(4, 8)).tflops, t.peak("fp32"));
  EXPECT_EQ(roof_of(t, {"fp32"}, xeon(4, 1)).gbps, 100);
  RoofQuery link;
  link.link = true;
  EXPECT_TRUE(std::isnan(roof_of(t, link, xeon(4, 1)).gbps));
  link.link_is_host_memory = true;
  EXPECT_EQ(roof_of(t, link, xeon(4, 1)).gbps, 100);
}

TEST(Roofline, ColumnsUseTheMeasuredRoofWhenItIsComplete) {
  ResolvedTarget r;
  r.id = "x";
  r.spec = parse_targets(kHeader + "x,X,pci:1:2,gpu,spec,,,,,,,100,,,1000,,,d\n", "s.csv")[0];
  const DeviceIdentity dev = gpu("X", "1:2");
  RooflineColumns c = roofline_columns(r, {"bf16"}, dev, 400, 80, 200);
  EXPECT_EQ(csv_row(c.columns, "peak_source"), "spec");
  EXPECT_EQ(csv_row(c.columns, "roofline_pct"), "80");
  EXPECT_EQ(csv_row(c.columns, "spec_roofline_pct"), "80");
  EXPECT_EQ(csv_row(c.columns, "above_roof"), "");
  EXPECT_EQ(c.remarks, "");

  r.measured = parse_targets(kHeader + "m,X,pci:1:2,gpu,measured,,,,,,,64,,,800,,,m\n", "m.csv")[0];
  c = roofline_columns(r, {"bf16"}, dev, 400, 80, 200);
  EXPECT_EQ(csv_row(c.columns, "peak_source"), "measured");
  EXPECT_EQ(csv_row(c.columns, "peak_tflops"), "64");
  EXPECT_EQ(csv_row(c.columns, "roofline_pct"), "125");
  EXPECT_EQ(csv_row(c.columns, "spec_roofline_pct"), "80");
  EXPECT_EQ(csv_row(c.columns, "above_roof"), "measured");
  EXPECT_NE(c.remarks.find("above the measured roof (125 %)"), std::string::npos);

  // The measured target lacks fp8: the spec roof is the headline for fp8 rows.
  r.spec->peaks["fp8"] = 200;
  c = roofline_columns(r, {"fp8"}, dev, 400, 50, 1);
  EXPECT_EQ(csv_row(c.columns, "peak_source"), "spec");
  EXPECT_EQ(csv_row(c.columns, "roofline_pct"), "25");

  // Not timed: the roof and bound are known, the percentage is not.
  c = roofline_columns(r, {"bf16"}, dev, 400, NAN, NAN);
  EXPECT_EQ(csv_row(c.columns, "bound"), "compute");
  EXPECT_EQ(csv_row(c.columns, "roofline_pct"), "");

  // No roof at all for tf32: empty columns and a remark saying why.
  c = roofline_columns(r, {"tf32"}, dev, 400, 10, 1);
  EXPECT_EQ(csv_row(c.columns, "peak_source"), "<absent>");
  EXPECT_NE(c.remarks.find("lists no tf32 peak"), std::string::npos);

  // No target (a backend that cannot tell its device): only the empty id.
  c = roofline_columns(ResolvedTarget{}, {"bf16"}, dev, 400, 10, 1);
  EXPECT_EQ(c.columns.size(), 1u);
}

TEST(Roofline, EveryColumnIsInTheCsv) {
  const auto& tail = csv_tail_columns();
  for (const auto& c : roofline_column_names())
    EXPECT_NE(std::find(tail.begin(), tail.end(), c), tail.end()) << c;
  EXPECT_EQ(peak_key_of("fp8e5m2"), "fp8");
  EXPECT_EQ(peak_key_of("bf16"), "bf16");
  EXPECT_EQ(peak_key_of("int32"), "");
}

TEST(MeasuredTarget, BestFigurePerDeviceAndPrecision) {
  const DeviceIdentity cpu = xeon(4, 2);
  const DeviceIdentity h200 = gpu("NVIDIA H200", "10de:2335");
  const std::vector<PeakResult> results{
      {cpu, "cpu-x", "peak/cpu/fp64/peak/triad", "fp64", true, 20},
      {cpu, "cpu-x", "peak/cpu/fp32/peak/fma", "fp32", false, 0.25},
      {cpu, "cpu-x", "peak/onednn/fp32/peak/gemm", "fp32", false, 0.3},
      {h200, "nvidia-h200", "peak/cudart/fp32/peak/copy", "fp32", true, 4000},
      {h200, "nvidia-h200", "peak/cublas/bf16/peak/gemm_nn", "bf16", false, 700},
      {h200, "nvidia-h200", "peak/cublas/bf16/peak/gemm_tn", "bf16", false, 750},
      {DeviceIdentity{}, "", "unavailable", "bf16", false, 1},
  };
  const auto targets = measured_targets(results, "host h, 2026-11-27");
  ASSERT_EQ(targets.size(), 2u);
  const Target& c = targets[0];
  EXPECT_EQ(c.id, "cpu-x");
  EXPECT_EQ(c.source, "measured");
  EXPECT_EQ(c.units, 2);  // the threads the probes ran on
  EXPECT_EQ(c.peak("fp32"), 0.3);
  EXPECT_EQ(c.memory_gbps, 20);
  EXPECT_TRUE(c.matches(cpu));
  const Target& g = targets[1];
  EXPECT_EQ(g.peak("bf16"), 750);
  EXPECT_EQ(g.memory_gbps, 4000);
  EXPECT_TRUE(g.matches(h200));
  EXPECT_NE(g.citation.find("gemm_tn"), std::string::npos);
  EXPECT_NE(g.citation.find("host h, 2026-11-27"), std::string::npos);
  // A file of them reads back.
  EXPECT_EQ(parse_targets(format_targets(targets, "h"), "x.csv").size(), 2u);
}

}  // namespace
}  // namespace dlbench
