# Writes build_info.hh at build time (cmake -P), so --version names the
# revision built, not the one configured. configure_file leaves an
# unchanged file alone: nothing recompiles when the revision is the same.
# In: SRC (build_info.hh.in), OUT, TOP (the source tree), PROJECT_VERSION.
execute_process(COMMAND git -C ${TOP} describe --always --dirty --abbrev=12
                OUTPUT_VARIABLE HOPSCOPE_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_rc)
if(NOT git_rc EQUAL 0 OR HOPSCOPE_REVISION STREQUAL "")
  set(HOPSCOPE_REVISION "unknown revision")
else()
  set(HOPSCOPE_REVISION "git ${HOPSCOPE_REVISION}")
endif()
configure_file(${SRC} ${OUT} @ONLY)
