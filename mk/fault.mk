# Fault-injection loops (tests/fault/fault.c, run by tests/cli/fault.sh):
# fail allocation k and disk-changing I/O call k of a check-in and of a
# purge, for every k.  The program replaces the allocator and the I/O calls
# for the whole process (tests/fault/interpose.c) and exports them
# (-rdynamic) so that SQLCipher, libgit2 and OpenSSL call them too; it links
# the test-hooks build of the library.  interpose.c is compiled without
# _FORTIFY_SOURCE, whose inline open() would clash with its own, and without
# builtins, since it defines malloc and friends.
FAULT_BIN = $(BUILD)/tests/fault/fault_loops
FAULT_OBJ = $(BUILD)/tests/fault/fault.o $(BUILD)/tests/fault/interpose.o

all: $(FAULT_BIN)

$(BUILD)/tests/fault/fault.o: tests/fault/fault.c tests/fault/interpose.h Makefile mk/fault.mk $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -DSV_TEST_HOOKS -c -o $@ $<

$(BUILD)/tests/fault/interpose.o: tests/fault/interpose.c tests/fault/interpose.h Makefile mk/fault.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -U_FORTIFY_SOURCE -fno-builtin -c -o $@ $<

$(FAULT_BIN): $(FAULT_OBJ) $(HOOKS)/libscrvault.a
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -rdynamic -o $@ $(FAULT_OBJ) $(HOOKS)/libscrvault.a $(LDLIBS) -ldl
