package dev.lockstep.launch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The rendezvous MPJ's niodev ranks report to in {@code MPI.Init} (the role of mpjrun's server on port 40002), on an
 * ephemeral port so that concurrent jobs never collide. Wire protocol (NIODevice.init / MPJRun, MPJ Express 0.44):
 * each rank connects and sends {@code writeUTF("Sending Info")}, {@code writeInt(writePort)},
 * {@code writeInt(readPort)}, {@code writeInt(rank)}; once all N have, each gets back
 * {@code writeUTF("#Peer Information;ip@readPort@writePort@rank@debugPort;...")} in rank order, and the ranks then
 * connect to one another directly.
 */
final class NiodevRendezvous implements AutoCloseable {
  private static final String HELLO = "Sending Info";
  /** MPJ's default protocol switch limit (eager vs. rendezvous messages), 128 KiB. */
  private static final int PROTOCOL_SWITCH_LIMIT = 128 * 1024;

  private record Peer(Socket socket, String address, int readPort, int writePort, int rank) {}

  private final int np;
  private final ServerSocket server;
  private final Thread thread;
  private volatile boolean complete;
  private volatile String error;

  /** Listens on the loopback interface: every rank of a single-machine job connects from this machine. */
  NiodevRendezvous(int np) {
    this(np, InetAddress.getLoopbackAddress());
  }

  /** Listens on {@code address} (for ranks on other hosts: the address they reach this machine by). */
  NiodevRendezvous(int np, InetAddress address) {
    this.np = np;
    try {
      server = new ServerSocket();
      server.bind(new InetSocketAddress(address, 0), np);
    } catch (IOException e) {
      throw new LaunchException(ExitCodes.RANK_FAILED, "cannot open the niodev rendezvous port: " + e.getMessage(), e);
    }
    thread = new Thread(this::serve, "lockstep-niodev-rendezvous");
    thread.setDaemon(true);
    thread.start();
  }

  /** The second MPJ argument of every rank: where to find this rendezvous, and how many ranks there are. */
  String configArgument() {
    return "#Number of Processes;" + np + ";#Protocol Switch Limit;" + PROTOCOL_SWITCH_LIMIT
        + ";#Server Name;" + server.getInetAddress().getHostAddress() + ";#Server Port;" + server.getLocalPort();
  }

  /** The ephemeral port the ranks connect to. */
  int port() {
    return server.getLocalPort();
  }

  /** True once every rank has registered and received the peer list. */
  boolean complete() {
    return complete;
  }

  /** Why the rendezvous failed, or null. */
  String error() {
    return error;
  }

  private void serve() {
    List<Peer> peers = new ArrayList<>();
    try {
      Peer[] byRank = new Peer[np];
      while (peers.size() < np) {
        Socket socket = server.accept();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        String hello = in.readUTF();
        if (!hello.startsWith(HELLO)) {
          socket.close(); // not an MPJ rank
          continue;
        }
        int writePort = in.readInt();
        int readPort = in.readInt();
        int rank = in.readInt();
        Peer peer = new Peer(socket, socket.getInetAddress().getHostAddress(), readPort, writePort, rank);
        peers.add(peer);
        if (rank < 0 || rank >= np || byRank[rank] != null) {
          throw new IOException("a rank registered as " + rank + " (expected each of 0.." + (np - 1) + " once)");
        }
        byRank[rank] = peer;
      }
      StringBuilder info = new StringBuilder("#Peer Information");
      for (Peer p : byRank) {
        info.append(';').append(p.address()).append('@').append(p.readPort()).append('@').append(p.writePort())
            .append('@').append(p.rank()).append("@0");
      }
      for (Peer p : byRank) {
        DataOutputStream out = new DataOutputStream(p.socket().getOutputStream());
        out.writeUTF(info.toString());
        out.flush();
      }
      complete = true;
    } catch (IOException e) {
      if (!server.isClosed()) {
        error = "niodev rendezvous failed: " + e.getMessage();
      }
    } finally {
      for (Peer p : peers) {
        try {
          p.socket().close();
        } catch (IOException ignored) {
          // closing a finished handshake
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // nothing to release
    }
  }
}
