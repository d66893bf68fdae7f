# The result tools' tests (tools/tests: compare.py, roofline.py, report.py, a headless-browser check of the
# report) as one ctest test, python_tools, run by the virtual environment's Python that tools/setup.sh makes at
# <repo>/.venv from tools/requirements.txt (pandas, matplotlib, pytest, pinned). Included from tests/CMakeLists.txt.
#
# DLBENCH_REQUIRE_BROWSER=1: the browser tests fail, rather than skip, when chromium is missing, so a machine that
# skipped tools/setup.sh cannot pass them unseen. When the venv's Python does not exist at configure time the test
# is still registered, and fails saying to run tools/setup.sh: a missing set-up is never a silently absent test.

set(DLBENCH_VENV_PYTHON "${PROJECT_SOURCE_DIR}/.venv/bin/python")
if(EXISTS "${DLBENCH_VENV_PYTHON}")
  add_test(NAME python_tools
           COMMAND "${DLBENCH_VENV_PYTHON}" -m pytest -q -p no:cacheprovider "${PROJECT_SOURCE_DIR}/tools/tests"
           WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
  # No bytecode or pytest cache written into the source tree.
  set_tests_properties(python_tools PROPERTIES
                       ENVIRONMENT "DLBENCH_REQUIRE_BROWSER=1;PYTHONDONTWRITEBYTECODE=1"
                       TIMEOUT 600)
else()
  set(_dlbench_missing_venv "${CMAKE_CURRENT_BINARY_DIR}/python_tools_missing_venv.cmake")
  file(WRITE "${_dlbench_missing_venv}"
       "message(FATAL_ERROR \"python_tools: ${DLBENCH_VENV_PYTHON} did not exist when CMake configured this \"\n"
       "  \"build. Run tools/setup.sh (it makes the virtual environment from tools/requirements.txt and \"\n"
       "  \"installs chromium), then configure again.\")\n")
  add_test(NAME python_tools COMMAND "${CMAKE_COMMAND}" -P "${_dlbench_missing_venv}")
endif()
