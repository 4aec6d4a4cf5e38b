package dev.lockstep.cli;

import dev.lockstep.config.ConfigException;
import dev.lockstep.launch.LaunchException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How failures reach the user: one line per problem on stderr, each starting {@code lockstep: }, and an exit
 * code a script can branch on. Usage mistakes point at {@code --help} instead of printing the whole manual.
 */
final class ErrorReporting implements IParameterExceptionHandler, IExecutionExceptionHandler {

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("lockstep: " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return ExitCodes.USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    if (e instanceof ConfigException c) {
      c.lines().forEach(line -> err.println("lockstep: " + line));
      err.flush();
      return ExitCodes.USAGE;
    }
    if (e instanceof LaunchException l) { // a bad machines file, MPJ home or daemon: its message says what to do
      err.println("lockstep: " + l.getMessage());
      err.flush();
      return l.exitCode();
    }
    err.println("lockstep: internal error: " + e);
    e.printStackTrace(err);
    err.flush();
    return ExitCodes.INTERNAL_ERROR;
  }
}
