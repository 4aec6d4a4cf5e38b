package dev.lockstep.launch;

import java.lang.reflect.Constructor;

/** Finds the {@link RankTask} named by a rank's first application argument, in the rank's own class loader. */
final class RankTasks {
  static final String TRAIN = "train";
  static final String TRAIN_TASK_CLASS = "dev.lockstep.launch.TrainRankTask";
  static final String TASK_OPTION = "--task=";

  private RankTasks() {}

  /** A rank's arguments that name no task (exit 2). */
  static final class UnknownTaskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnknownTaskException(String message) {
      super(message);
    }
  }

  static RankTask resolve(String[] appArgs, ClassLoader loader) throws ReflectiveOperationException {
    if (appArgs.length == 0) {
      throw new UnknownTaskException("no rank command given (expected 'train ...' or --task=<class> ...)");
    }
    String selector = appArgs[0];
    if (selector.equals(TRAIN)) {
      return instantiate(TRAIN_TASK_CLASS, loader);
    }
    if (selector.startsWith(TASK_OPTION) && selector.length() > TASK_OPTION.length()) {
      return instantiate(selector.substring(TASK_OPTION.length()), loader);
    }
    throw new UnknownTaskException(
        "unknown rank command '" + selector + "' (expected 'train ...' or --task=<class> ...)");
  }

  private static RankTask instantiate(String className, ClassLoader loader) throws ReflectiveOperationException {
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new ClassNotFoundException("rank task class " + className + " is not on the classpath", e);
    }
    if (!RankTask.class.isAssignableFrom(type)) {
      throw new UnknownTaskException(className + " is not a " + RankTask.class.getName());
    }
    Constructor<?> constructor = type.getDeclaredConstructor();
    constructor.setAccessible(true);
    return (RankTask) constructor.newInstance();
  }
}
