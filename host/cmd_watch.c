int td_cmd_watch(int argc, char **argv);
int td_cmd_watch(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return 70;
}
