/**
 * Starting and supervising the ranks of one job, and the per-rank entry point.
 *
 * <h2>Processes and threads</h2>
 *
 * <pre>
 * launcher JVM (Launcher.launch)         resolves MpjHome, splits its own classpath (RankClasspath)
 *  multicore: 1 child JVM                java -cp &lt;MPJ device jars + native jars&gt; runtime.starter.MulticoreStarter
 *     rank threads "MPI0".."MPI{n-1}"    each with its own URLClassLoader(app entries + mpi.jar + mpjdev.jar)
 *                                        calling dev.lockstep.Main.main({rank, n, "smpdev", app args...})
 *  niodev: n child JVMs                  java -cp &lt;app + native + mpj.jar&gt; dev.lockstep.Main r '&lt;config&gt;' niodev args
 *     the launcher is MPJ's rendezvous server (NiodevRendezvous, ephemeral loopback port)
 *  niodev --machines (other hosts):      MPJ daemons start the rank JVMs (DaemonJob: one job ticket per host);
 *                                        the launcher is the rendezvous and supervises over the daemon streams
 *  hybdev: 1 child JVM per host          java -cp &lt;MPJ device jars + native jars + shared classes&gt;
 *                                        runtime.daemon.HybridStarter: rank threads as under multicore, calling
 *                                        Main.main({local index, threads, "hybdev", np, hosts, host, config, "niodev",
 *                                        app args...}); smpdev between the threads, niodev between the host JVMs
 *     one host: the launcher starts it and is the rendezvous of its single niodev process
 *     --machines: MPJ daemons start one per host (DaemonJob: a hybdev ticket per host, MPJ's placement of
 *                 np/hosts ranks per host); supervision as for niodev
 * </pre>
 *
 * <p>Class loading under multicore and hybdev: lockstep's own classes, picocli and Jackson are loaded once per rank,
 * so static state is per rank and MPJ's {@code mpi.*} statics (COMM_WORLD) are per rank. Jars carrying native code (JavaCPP,
 * OpenBLAS, CUDA) sit on the JVM's classpath and are loaded once, shared by all rank threads: a native library can
 * belong to only one class loader. Nothing that uses {@code mpi.*} may be on that shared classpath.
 *
 * <p>Each rank ({@link dev.lockstep.launch.RankEntry}) initialises MPJ, builds its
 * {@link dev.lockstep.comm.MpjCommunicator}, runs the {@link dev.lockstep.launch.RankTask} its first app argument
 * names ({@code train ...} or {@code --task=<class> ...}), then finalises MPJ and leaves a "finished" mark in the
 * directory the launcher passes in {@code LOCKSTEP_RANK_STATUS_DIR}.
 *
 * <h2>Failure</h2>
 *
 * <ul>
 *   <li>A rank that throws prints {@code lockstep: rank R failed: <message>} and ends the job with exit code 3;
 *       a task that returns non-zero ends it with that code. Under multicore and hybdev this is
 *       {@code Runtime.halt}, which also stops the other rank threads of its JVM (they may be blocked in MPJ waiting
 *       for the failed one).
 *   <li>A rank that stalls is caught by its peers' deadlines: every collective is armed with
 *       {@code timeoutSeconds} (default 120) and a waiting rank halts its JVM with code 3 when it passes.
 *   <li>The launcher passes the first non-zero exit through (0, 2, 3, 4; anything else, a signal included, becomes
 *       3), kills the other rank processes, and fails a job whose processes exited 0 without every rank's mark (MPJ's
 *       starter calls System.exit(0) on some failures). Killing the launcher kills its ranks (shutdown hook).
 *   <li>With {@code maxRestarts > 0} a train job that ended with 3 is started again from the newest snapshot of the
 *       run directory rank 0 wrote into the job directory ({@code run-dir}); the ranks get {@code --attempt N} and
 *       one {@code --restarted ...} per earlier failure. A rank that failed leaves {@code rank-<r>.failed} there.
 * </ul>
 *
 * <h2>Interruption</h2>
 *
 * <p>SIGINT/SIGTERM to the launcher ({@link dev.lockstep.launch.LauncherSignals}) become one SIGTERM per rank
 * process; in the rank JVMs ({@link dev.lockstep.launch.RankSignals}) either signal sets the rank's stop request,
 * the ranks agree on a step boundary, rank 0 snapshots, and every rank returns 128 + the signal. A second signal to
 * the launcher kills the ranks at once.
 *
 * <p>Environment: {@code MPJ_HOME} (a user's MPJ Express; otherwise one is assembled from Debian's libmpj-java into
 * {@code mpj-home} beside lockstep.jar, or where {@code -Dlockstep.mpj.home} says), {@code LOCKSTEP_RANK_JAVA_OPTS}
 * (JVM options of the rank JVMs, e.g. {@code -Xmx16g}), {@code LOCKSTEP_DEBUG=1} (stack traces of rank failures).
 *
 * <p>Daemons: {@link dev.lockstep.launch.MpjDaemons} ({@code lockstep daemons}).
 */
package dev.lockstep.launch;
