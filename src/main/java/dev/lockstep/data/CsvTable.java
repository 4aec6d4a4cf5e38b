package dev.lockstep.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A CSV file as text cells: a header row of column names, then data rows with as many cells each. Commas
 * separate cells; a cell in double quotes may hold commas and doubled quotes ({@code ""}); cells are trimmed;
 * blank lines are skipped; {@code .gz} files are decompressed. Every problem is one line naming the file and,
 * for a cell, its row and column.
 */
final class CsvTable {
  final String file;
  final List<String> header;
  final List<String[]> rows;
  final int[] lines; // [rows] line number in the file of each data row (1-based; the header is line 1 or later)

  private CsvTable(String file, List<String> header, List<String[]> rows, int[] lines) {
    this.file = file;
    this.header = header;
    this.rows = rows;
    this.lines = lines;
  }

  static CsvTable read(Path path) {
    String file = path.toString();
    try (InputStream raw = Files.newInputStream(path);
         InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
         BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      List<String> header = null;
      List<String[]> rows = new ArrayList<>();
      List<Integer> lines = new ArrayList<>();
      int lineNo = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] cells = split(line, file, lineNo);
        if (header == null) {
          header = List.of(cells);
          checkHeader(header, file, lineNo);
          continue;
        }
        if (cells.length != header.size()) {
          throw new DataException("file " + file + ": line " + lineNo + " has " + cells.length
              + " cells but the header has " + header.size() + " columns");
        }
        rows.add(cells);
        lines.add(lineNo);
      }
      if (header == null) {
        throw new DataException("file " + file + ": empty file (expected a header row of column names)");
      }
      if (rows.isEmpty()) {
        throw new DataException("file " + file + ": no data rows after the header");
      }
      return new CsvTable(file, header, rows, lines.stream().mapToInt(Integer::intValue).toArray());
    } catch (NoSuchFileException e) {
      throw new DataException("file " + file + ": not found");
    } catch (IOException e) {
      throw new DataException("file " + file + ": cannot read: " + e.getMessage());
    }
  }

  /** The index of column {@code name}; the error names the config key that asked for it. */
  int column(String name, String key) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new DataException("file " + file + ": no column '" + name + "' (asked for by " + key + "; columns: "
          + String.join(", ", header) + ")");
    }
    return i;
  }

  /** Cell (row, col) as a number; the error names row, line and column. */
  double number(int row, int col) {
    String cell = rows.get(row)[col];
    try {
      double v = Double.parseDouble(cell);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new DataException("file " + file + ": row " + (row + 1) + " (line " + lines[row] + "), column '"
        + header.get(col) + "': " + (cell.isEmpty() ? "empty cell" : "\"" + cell + "\"") + " is not a number");
  }

  /** True when every cell of column {@code col} parses as a finite number. */
  boolean numeric(int col) {
    for (String[] r : rows) {
      try {
        if (!Double.isFinite(Double.parseDouble(r[col]))) {
          return false;
        }
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return true;
  }

  private static void checkHeader(List<String> header, String file, int lineNo) {
    for (int i = 0; i < header.size(); i++) {
      if (header.get(i).isEmpty()) {
        throw new DataException("file " + file + ": line " + lineNo + " (header): column " + (i + 1) + " has no name");
      }
      if (header.indexOf(header.get(i)) != i) {
        throw new DataException("file " + file + ": line " + lineNo + " (header): column name '" + header.get(i)
            + "' appears twice");
      }
    }
  }

  private static String[] split(String line, String file, int lineNo) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cell.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        cells.add(cell.toString().strip());
        cell.setLength(0);
      } else {
        cell.append(ch);
      }
    }
    if (quoted) {
      throw new DataException("file " + file + ": line " + lineNo + " has an unclosed quote");
    }
    cells.add(cell.toString().strip());
    return cells.toArray(String[]::new);
  }
}
