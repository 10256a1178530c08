// shopstream-cli: the shop's engine without a GUI.
#include "cli_commands.hpp"

int main(int argc, char** argv) { return shop::cli::runCli(argc, argv); }
