# MPI, shared by the harness's MPI layer (bench/mpi: the process group allreduce_bench runs in under mpirun or
# srun) and the MPI backend. DLBENCH_WITH_MPI: AUTO builds both when MPI is found, ON requires it, OFF skips.
# Sets DLBENCH_MPI_FOUND, DLBENCH_MPI_REASON and, when found, the MPI::MPI_CXX target and MPIEXEC_* variables.
dlbench_tristate(DLBENCH_WITH_MPI "Build the MPI process group and MPI backends")

set(DLBENCH_MPI_FOUND OFF)
set(DLBENCH_MPI_REASON "DLBENCH_WITH_MPI=OFF")
if(NOT DLBENCH_WITH_MPI STREQUAL "OFF")
  find_package(MPI COMPONENTS CXX)
  if(MPI_CXX_FOUND)
    set(DLBENCH_MPI_FOUND ON)
    set(DLBENCH_MPI_REASON "")
    message(STATUS "dlbench: MPI ${MPI_CXX_VERSION} (${MPIEXEC_EXECUTABLE})")
  else()
    set(DLBENCH_MPI_REASON "MPI not found (tools/setup.sh installs openmpi-bin and libopenmpi-dev)")
    if(DLBENCH_WITH_MPI STREQUAL "ON")
      message(FATAL_ERROR "DLBENCH_WITH_MPI=ON but ${DLBENCH_MPI_REASON}")
    endif()
  endif()
endif()
if(NOT DLBENCH_MPI_FOUND)
  message(STATUS "dlbench: no MPI: ${DLBENCH_MPI_REASON}")
endif()
