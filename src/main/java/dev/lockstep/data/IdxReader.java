package dev.lockstep.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST format): magic {@code 00 00 <type> <ndims>}, then ndims big-endian int32
 * dimensions, then the values, big-endian, row-major. Gzip is detected by its magic bytes, not the file
 * name. Every problem becomes a one-line {@link DataException} naming the file.
 */
public final class IdxReader {
  private static final int BUFFER_BYTES = 1 << 16;
  // Java arrays stop a little short of Integer.MAX_VALUE.
  private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 16;

  private IdxReader() {}

  public static IdxArray read(Path file) {
    String name = file.toString();
    if (!Files.exists(file)) {
      throw new DataException("file " + name + ": not found");
    }
    if (!Files.isRegularFile(file)) {
      throw new DataException("file " + name + ": not a regular file");
    }
    try (InputStream in = open(file)) {
      return read(in, name);
    } catch (IOException e) {
      throw new DataException("file " + name + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /**
   * Values per item (the product of every dimension but the first), from the header alone: what a model's input
   * width is, without reading the data.
   */
  public static int itemWidth(Path file) {
    int[] dims = dims(file);
    int w = 1;
    for (int i = 1; i < dims.length; i++) {
      w *= dims[i];
    }
    return w;
  }

  /** The dimensions from the header alone ({@code dims[0]} is the item count), the header checked. */
  public static int[] dims(Path file) {
    String name = file.toString();
    if (!Files.isRegularFile(file)) {
      throw new DataException("file " + name + (Files.exists(file) ? ": not a regular file" : ": not found"));
    }
    try (InputStream in = open(file)) {
      return header(in, name).dims();
    } catch (IOException e) {
      throw new DataException("file " + name + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** Raw or gzip stream, decided by the first two bytes (gzip: 1f 8b). */
  private static InputStream open(Path file) throws IOException {
    BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES);
    try {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, BUFFER_BYTES) : raw;
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  /** Magic and dimensions, checked; the stream is left at the first value. */
  private static Header header(InputStream in, String name) throws IOException {
    byte[] magic = new byte[4];
    int got = readFully(in, magic);
    if (got < 4) {
      throw new DataException("file " + name + ": truncated header (expected 4 bytes of magic, found " + got + ")");
    }
    if (magic[0] != 0 || magic[1] != 0) {
      throw new DataException(String.format(
          "file %s: bad magic 0x%02X%02X%02X%02X (an IDX file starts with 0x0000, then type and dimension count)",
          name, magic[0], magic[1], magic[2], magic[3]));
    }
    int type = magic[2] & 0xFF;
    if (type != IdxArray.TYPE_UBYTE && type != IdxArray.TYPE_FLOAT) {
      throw new DataException(String.format(
          "file %s: unsupported IDX data type 0x%02X (supported: 0x08 unsigned byte, 0x0D float)", name, type));
    }
    int ndims = magic[3] & 0xFF;
    if (ndims == 0) {
      throw new DataException("file " + name + ": IDX header declares 0 dimensions");
    }

    byte[] dimBytes = new byte[4 * ndims];
    got = readFully(in, dimBytes);
    if (got < dimBytes.length) {
      throw new DataException("file " + name + ": truncated header (expected " + ndims + " dimensions, found "
          + got / 4 + ")");
    }
    ByteBuffer dimBuf = ByteBuffer.wrap(dimBytes).order(ByteOrder.BIG_ENDIAN);
    int[] dims = new int[ndims];
    long values = 1;
    for (int i = 0; i < ndims; i++) {
      dims[i] = dimBuf.getInt();
      if (dims[i] < 0) {
        throw new DataException("file " + name + ": dimension " + i + " is " + Integer.toUnsignedString(dims[i])
            + ", too large");
      }
      values *= dims[i];
      if (values > MAX_DATA_BYTES) {
        throw new DataException("file " + name + ": dimensions " + java.util.Arrays.toString(dims)
            + " are too large for one array");
      }
    }
    return new Header(type, dims, values);
  }

  private record Header(int type, int[] dims, long values) {}

  private static IdxArray read(InputStream in, String name) throws IOException {
    Header h = header(in, name);
    int type = h.type();
    int[] dims = h.dims();
    long values = h.values();
    long bytesPerValue = type == IdxArray.TYPE_UBYTE ? 1 : 4;
    long expected = values * bytesPerValue;
    if (expected > MAX_DATA_BYTES) {
      throw new DataException("file " + name + ": " + expected + " bytes of data are too large for one array");
    }

    byte[] data = new byte[(int) expected];
    int got = readFully(in, data);
    if (got < data.length) {
      throw new DataException("file " + name + ": expected " + expected + " bytes of data, found " + got);
    }
    if (hasMore(in, name)) {
      throw new DataException("file " + name + ": more data after the expected " + expected
          + " bytes (dimensions " + java.util.Arrays.toString(dims) + " do not match the file)");
    }

    if (type == IdxArray.TYPE_UBYTE) {
      return new IdxArray(name, type, dims, data, null);
    }
    float[] floats = new float[(int) values];
    ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(floats);
    return new IdxArray(name, type, dims, null, floats);
  }

  private static boolean hasMore(InputStream in, String name) throws IOException {
    try {
      return in.read() != -1;
    } catch (EOFException e) {
      throw new DataException("file " + name + ": gzip stream ends early (truncated after the data)");
    }
  }

  /**
   * Reads until {@code buf} is full or the stream ends; returns how many bytes arrived. A gzip stream cut
   * short throws EOFException instead of returning -1; both mean "ended here".
   */
  private static int readFully(InputStream in, byte[] buf) throws IOException {
    int off = 0;
    try {
      while (off < buf.length) {
        int n = in.read(buf, off, buf.length - off);
        if (n < 0) {
          break;
        }
        off += n;
      }
    } catch (EOFException e) {
      // truncated gzip member: report what we got
    }
    return off;
  }
}
