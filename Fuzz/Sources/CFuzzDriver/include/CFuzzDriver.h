#ifndef PICKET_FUZZ_DRIVER_H
#define PICKET_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that have their own `main` (LLVM 11 and later).
/// SwiftPM names an executable's entry point `<Module>_main` and aliases `main` to it, so a
/// fuzz target is a normal executable whose top-level code calls this.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
