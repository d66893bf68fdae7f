// Shape tables: the CSV reader, the GEMM columns on top of it, the error messages a user sees for a bad table
// (each names the source, the line and the field), and every table shipped in shapes/gemm/.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "common/shape_table.hpp"
#include "gemm/gemm_table.hpp"
#include "test_util.hpp"

namespace dlbench {
namespace {

const std::string kSource = "mem.csv";
const std::string kHeader = "label,m,n,k,trans_a,trans_b,batch,alpha,beta\n";

std::vector<GemmTableRow> gemm_rows(const std::string& text) {
  return read_gemm_rows(ShapeTable::parse(text, kSource, "mem"));
}

using test::contains;

std::string gemm_error(const std::string& text) {
  return test::input_error_of([&] { gemm_rows(text); });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

TEST(ShapeTableParse, SkipsCommentsAndBlankLinesAndKeepsFileLineNumbers) {
  const std::string text =
      "# a comment\n"                                           // 1
      "\n"                                                      // 2
      "   # an indented comment\n"                              // 3
      "label,m,n,k,trans_a,trans_b,batch,alpha,beta\n"          // 4
      "first/row,1,2,3,n,t,1,1,0\n"                             // 5
      "   \t \n"                                                // 6
      "# between rows\n"                                        // 7
      "second/row,4,5,6,t,n,2,0.5,1\n";                         // 8
  const ShapeTable table = ShapeTable::parse(text, kSource, "mem");
  EXPECT_EQ(table.name(), "mem");
  EXPECT_EQ(table.source(), kSource);
  EXPECT_EQ(table.columns(),
            (std::vector<std::string>{"label", "m", "n", "k", "trans_a", "trans_b", "batch", "alpha", "beta"}));
  ASSERT_EQ(table.rows().size(), 2u);
  EXPECT_EQ(table.rows()[0].label(), "first/row");
  EXPECT_EQ(table.rows()[0].line(), 5);
  EXPECT_EQ(table.rows()[1].label(), "second/row");
  EXPECT_EQ(table.rows()[1].line(), 8);
  EXPECT_EQ(table.rows()[1].text("alpha"), "0.5");
  EXPECT_FALSE(table.rows()[1].text("no_such_column").has_value());
}

TEST(ShapeTableParse, AcceptsCrlfLineEndingsAndNoFinalNewline) {
  const auto rows = gemm_rows("# c\r\nlabel,m,n,k,trans_a,trans_b\r\na,1,2,3,n,t\r\nb,4,5,6,t,t");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].label, "a");
  EXPECT_EQ(rows[0].line, 3);
  EXPECT_TRUE(rows[0].problem.trans_b);
  EXPECT_EQ(rows[1].label, "b");
  EXPECT_EQ(rows[1].line, 4);
  EXPECT_EQ(rows[1].problem.k, 6);
}

TEST(ShapeTableParse, ReadsQuotedAndPaddedFields) {
  const auto rows = gemm_rows(kHeader + "\"quoted/label\", 8 ,\"16\",32,n,\"t\",1,\"0.5\",0\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].label, "quoted/label");
  EXPECT_EQ(rows[0].problem.m, 8);
  EXPECT_EQ(rows[0].problem.n, 16);
  EXPECT_EQ(rows[0].problem.k, 32);
  EXPECT_TRUE(rows[0].problem.trans_b);
  EXPECT_EQ(rows[0].problem.alpha, 0.5);
}

TEST(ShapeTableParse, SplitsCsvRecordsWithRfc4180Quoting) {
  EXPECT_EQ(split_csv_record("a,b,c", "w"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_csv_record(" a , b ,c ", "w"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_csv_record("\"x,y\",z", "w"), (std::vector<std::string>{"x,y", "z"}));
  EXPECT_EQ(split_csv_record("\"say \"\"hi\"\"\",2", "w"), (std::vector<std::string>{"say \"hi\"", "2"}));
  EXPECT_EQ(split_csv_record("\" padded \",", "w"), (std::vector<std::string>{" padded ", ""}));
  EXPECT_EQ(split_csv_record("a,,", "w"), (std::vector<std::string>{"a", "", ""}));
  try {
    split_csv_record("a,\"open", "file.csv:9");
    ADD_FAILURE() << "no exception for an unterminated quote";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "file.csv:9: unterminated quoted field"));
  }
}

TEST(ShapeTableParse, AcceptsEveryAllowedLabelCharacter) {
  const auto rows = gemm_rows(kHeader + "Model9/layer.x_y-z/phase+1=2,1,1,1,n,n,1,1,0\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].label, "Model9/layer.x_y-z/phase+1=2");
}

// ---------------------------------------------------------------------------------------------------------------
// GEMM rows

TEST(GemmTableRows, MapsEveryColumnToTheProblem) {
  const auto rows = gemm_rows(kHeader +
                              "a,3,5,7,t,n,4,2,-0.5\n"
                              "b,1,192,160,n,t,1,1,1\n");
  ASSERT_EQ(rows.size(), 2u);
  const GemmProblem& p = rows[0].problem;
  EXPECT_EQ(rows[0].label, "a");
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_EQ(p.m, 3);
  EXPECT_EQ(p.n, 5);
  EXPECT_EQ(p.k, 7);
  EXPECT_TRUE(p.trans_a);
  EXPECT_FALSE(p.trans_b);
  EXPECT_EQ(p.batch, 4);
  EXPECT_EQ(p.alpha, 2.0);
  EXPECT_EQ(p.beta, -0.5);
  EXPECT_EQ(p.precision, Precision::fp32);  // left at its default: the caller picks precisions
  EXPECT_EQ(rows[1].problem.to_string(false), "m1n192k160_nt_beta1");
}

TEST(GemmTableRows, OptionalColumnsDefaultToBatch1Alpha1Beta0) {
  const auto rows = gemm_rows("label,m,n,k,trans_a,trans_b\nx,2,3,4,n,n\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].problem.batch, 1);
  EXPECT_EQ(rows[0].problem.alpha, 1.0);
  EXPECT_EQ(rows[0].problem.beta, 0.0);

  // Present but empty fields take the defaults too.
  const auto empty = gemm_rows(kHeader + "x,2,3,4,n,n,,,\n");
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].problem.batch, 1);
  EXPECT_EQ(empty[0].problem.alpha, 1.0);
  EXPECT_EQ(empty[0].problem.beta, 0.0);

  // Columns may come in any order, and only some of the optional ones may be there.
  const auto reordered = gemm_rows("trans_b,beta,k,n,m,label,trans_a\nt,1,4,3,2,x,n\n");
  ASSERT_EQ(reordered.size(), 1u);
  EXPECT_EQ(reordered[0].problem.m, 2);
  EXPECT_EQ(reordered[0].problem.n, 3);
  EXPECT_EQ(reordered[0].problem.k, 4);
  EXPECT_TRUE(reordered[0].problem.trans_b);
  EXPECT_EQ(reordered[0].problem.beta, 1.0);
  EXPECT_EQ(reordered[0].problem.alpha, 1.0);
}

// ---------------------------------------------------------------------------------------------------------------
// Errors: each names the source, the line, and the field or column at fault.

TEST(ShapeTableErrors, MissingColumnIsReportedAtTheHeaderLine) {
  const std::string msg = gemm_error("# comment\n# comment\nlabel,m,n,trans_a,trans_b\nx,1,2,n,n\n");
  EXPECT_TRUE(contains(msg, "mem.csv:3: missing column 'k'"));
  // A misspelt required column is reported as the missing one.
  EXPECT_TRUE(contains(gemm_error("label,m,n,k,trasn_a,trans_b\nx,1,2,3,n,n\n"),
                       "mem.csv:1: missing column 'trans_a'"));
  // label is required by the reader itself.
  EXPECT_TRUE(contains(gemm_error("\nm,n,k,trans_a,trans_b\n1,2,3,n,n\n"), "mem.csv:2: missing column 'label'"));
}

TEST(ShapeTableErrors, UnknownColumnIsReportedWithTheValidOnes) {
  const std::string msg = gemm_error("label,m,n,k,trans_a,trans_b,trasn_a\nx,1,2,3,n,n,n\n");
  EXPECT_TRUE(contains(msg, "mem.csv:1: unknown column 'trasn_a'"));
  EXPECT_TRUE(contains(msg, "label, m, n, k, trans_a, trans_b, batch, alpha, beta"));
  // A misspelt optional column would otherwise silently fall back to its default.
  EXPECT_TRUE(contains(gemm_error("#\nlabel,m,n,k,trans_a,trans_b,aplha\nx,1,2,3,n,n,2\n"),
                       "mem.csv:2: unknown column 'aplha'"));
}

TEST(ShapeTableErrors, BadHeaderColumnNames) {
  EXPECT_TRUE(contains(gemm_error("label,m,,k\nx,1,2,3\n"), "mem.csv:1: header has an empty column name"));
  EXPECT_TRUE(contains(gemm_error("label,m,n,m\nx,1,2,3\n"), "mem.csv:1: header names column 'm' twice"));
}

TEST(ShapeTableErrors, NonNumericFieldNamesLineAndField) {
  EXPECT_TRUE(contains(gemm_error(kHeader + "ok,1,1,1,n,n,1,1,0\nx,12a,2,3,n,n,1,1,0\n"),
                       "mem.csv:3: field 'm': expected a positive integer, got '12a'"));
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,1,2.5,3,n,n,1,1,0\n"),
                       "mem.csv:2: field 'n': expected a positive integer, got '2.5'"));
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,1,2,3,n,n,1,abc,0\n"),
                       "mem.csv:2: field 'alpha': expected a finite number, got 'abc'"));
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,1,2,3,n,n,1,1,nan\n"),
                       "mem.csv:2: field 'beta': expected a finite number, got 'nan'"));
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,1,2,3,n,n,1,1,inf\n"), "mem.csv:2: field 'beta'"));
}

TEST(ShapeTableErrors, NegativeAndZeroFieldsNameLineAndField) {
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,1,-4,3,n,n,1,1,0\n"), "mem.csv:2: field 'n': must be positive, got -4"));
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,1,2,0,n,n,1,1,0\n"), "mem.csv:2: field 'k': must be positive, got 0"));
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,1,2,3,n,n,0,1,0\n"),
                       "mem.csv:2: field 'batch': must be positive, got 0"));
}

TEST(ShapeTableErrors, MissingRequiredValueNamesLineAndField) {
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,,2,3,n,n,1,1,0\n"), "mem.csv:2: field 'm': missing value"));
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,1,2,3,,n,1,1,0\n"), "mem.csv:2: field 'trans_a': missing value"));
}

TEST(ShapeTableErrors, UnknownTransposeFlagListsTheValidOnes) {
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,1,2,3,n,x,1,1,0\n"),
                       "mem.csv:2: field 'trans_b': unknown value 'x' (valid: n, t)"));
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,1,2,3,T,n,1,1,0\n"), "mem.csv:2: field 'trans_a': unknown value 'T'"));
}

TEST(ShapeTableErrors, EmptyFileAndHeaderWithoutRows) {
  EXPECT_TRUE(contains(gemm_error(""), "mem.csv: empty shape table (no header row)"));
  EXPECT_TRUE(contains(gemm_error("# only\n\n# comments\n"), "mem.csv: empty shape table"));
  EXPECT_TRUE(contains(gemm_error("# c\n" + kHeader + "# no rows\n"), "mem.csv: shape table has a header but no rows"));
}

TEST(ShapeTableErrors, WrongNumberOfFieldsNamesTheLine) {
  EXPECT_TRUE(contains(gemm_error(kHeader + "ok,1,1,1,n,n,1,1,0\nx,1,2,3,n,n,1,1\n"),
                       "mem.csv:3: expected 9 fields (one per header column), found 8"));
  EXPECT_TRUE(contains(gemm_error(kHeader + "x,1,2,3,n,n,1,1,0,\n"), "mem.csv:2: expected 9 fields"));
  // A comma inside quotes does not split the field.
  EXPECT_EQ(gemm_error(kHeader + "\"x\",1,2,3,n,n,1,\"1\",0\n"), "<no exception>");
}

TEST(ShapeTableErrors, DuplicateLabelNamesBothLines) {
  const std::string msg = gemm_error(kHeader +
                                     "a/b,1,1,1,n,n,1,1,0\n"  // line 2
                                     "c/d,1,1,1,n,n,1,1,0\n"  // line 3
                                     "a/b,2,2,2,n,n,1,1,0\n");  // line 4
  EXPECT_TRUE(contains(msg, "mem.csv:4: field 'label'"));
  EXPECT_TRUE(contains(msg, "'a/b' already used on line 2"));
}

TEST(ShapeTableErrors, BadLabels) {
  EXPECT_TRUE(contains(gemm_error(kHeader + ",1,1,1,n,n,1,1,0\n"), "mem.csv:2: field 'label': empty label"));
  EXPECT_TRUE(contains(gemm_error(kHeader + "\"\",1,1,1,n,n,1,1,0\n"), "mem.csv:2: field 'label': empty label"));

  const std::string space = gemm_error(kHeader + "ok,1,1,1,n,n,1,1,0\nhas space,1,1,1,n,n,1,1,0\n");
  EXPECT_TRUE(contains(space, "mem.csv:3: field 'label'"));
  EXPECT_TRUE(contains(space, "character ' ' is not allowed"));
  EXPECT_TRUE(contains(gemm_error(kHeader + "\"a,b\",1,1,1,n,n,1,1,0\n"), "character ',' is not allowed"));

  // A leading = + - or @ makes a spreadsheet read the label as a formula.
  for (const char* label : {"=cmd", "+x", "-x", "@x", "/x", ".x"}) {
    SCOPED_TRACE(label);
    const std::string msg = gemm_error(kHeader + label + ",1,1,1,n,n,1,1,0\n");
    EXPECT_TRUE(
        contains(msg, "mem.csv:2: field 'label': '" + std::string(label) + "' must start with a letter or digit"));
  }
}

TEST(ShapeTableErrors, AllAreInputErrors) {
  for (const std::string& text : {std::string(""), kHeader, kHeader + "x,0,1,1,n,n,1,1,0\n",
                                  kHeader + "x,1,1,1,n,q,1,1,0\n", kHeader + "x,1,1\n",
                                  std::string("label,m\nx,1\n")}) {
    SCOPED_TRACE(text);
    EXPECT_THROW(gemm_rows(text), InputError);
  }
}

TEST(ShapeTableLoad, MissingFileIsAnInputErrorNamingThePath) {
  const std::string path = DLBENCH_SHAPES_SOURCE "/gemm/no_such_table.csv";
  try {
    ShapeTable::load(path, "no_such_table");
    ADD_FAILURE() << "no exception";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), path + ": cannot open shape table"));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The tables shipped with the suite.

std::vector<std::filesystem::path> shipped_gemm_tables() {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(DLBENCH_SHAPES_SOURCE "/gemm"))
    if (entry.is_regular_file() && entry.path().extension() == ".csv") paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(ShippedGemmTables, NamedTablesExist) {
  for (const char* name : {"smoke", "default", "training", "inference_server", "inference_device", "llm"}) {
    const auto path = std::filesystem::path(DLBENCH_SHAPES_SOURCE) / "gemm" / (std::string(name) + ".csv");
    EXPECT_TRUE(std::filesystem::is_regular_file(path)) << path;
  }
}

TEST(ShippedGemmTables, EveryTableLoadsAndHasRows) {
  const auto paths = shipped_gemm_tables();
  EXPECT_GE(paths.size(), 6u);
  for (const auto& path : paths) {
    SCOPED_TRACE(path.string());
    std::vector<GemmTableRow> rows;
    ASSERT_NO_THROW(rows = read_gemm_rows(ShapeTable::load(path.string(), path.stem().string())));
    EXPECT_GE(rows.size(), 1u);
    // README: the header is the same in every file.
    const ShapeTable table = ShapeTable::load(path.string(), path.stem().string());
    EXPECT_EQ(table.name(), path.stem().string());
    EXPECT_EQ(table.columns(),
              (std::vector<std::string>{"label", "m", "n", "k", "trans_a", "trans_b", "batch", "alpha", "beta"}));
  }
}

// README: smoke.csv stays small enough for CI (every m, n, k ≤ 192 and m·n·k·batch ≤ 2,000,000).
TEST(ShippedGemmTables, SmokeTableIsSmall) {
  const auto rows = read_gemm_rows(ShapeTable::load(DLBENCH_SHAPES_SOURCE "/gemm/smoke.csv", "smoke"));
  ASSERT_FALSE(rows.empty());
  std::set<std::string> transposes;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.label);
    EXPECT_LE(row.problem.m, 192);
    EXPECT_LE(row.problem.n, 192);
    EXPECT_LE(row.problem.k, 192);
    EXPECT_LE(row.problem.m * row.problem.n * row.problem.k * row.problem.batch, 2000000);
    transposes.insert(row.problem.transposes());
  }
  EXPECT_EQ(transposes.size(), 4u);  // all four combinations are covered
}

}  // namespace
}  // namespace dlbench

namespace dlbench {
namespace {

TEST(ShapeTableCsv, TextAfterAClosingQuoteIsAnError) {
  EXPECT_EQ(split_csv_record("\"ab\" ,x", "t.csv:1"), (std::vector<std::string>{"ab", "x"}));
  try {
    split_csv_record("\"cd\"ef,x", "t.csv:3");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("t.csv:3: unexpected 'e' after a closing quote"), std::string::npos);
  }
}

}  // namespace
}  // namespace dlbench
