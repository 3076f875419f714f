// The static files of the training-program export (see TrainingProgram.h): data.py, train.py and
// README.txt. They read every setting from project.json at run time, so no project text is ever
// spliced into them. Python kept as raw string literals (delimiter nc_text), pieces below 30,000 characters.
#include "core/export/TrainingProgram.h"

namespace nc::core {

const char* trainingProgramDataPy() {
  return R"nc_text("""The data pipeline of NeuralCanvas, in plain Python and PyTorch, written by the
training-program export. Everything it does follows the C++ trainer exactly:

- the readers (IDX .gz or raw, CIFAR-10 binary, CSV, image folder, character-level text),
- the `limit` (the first N training samples),
- the seeded train/validation split (mt19937_64 Fisher-Yates),
- the input normalization statistics (per channel or feature, on the training split),
- the per-epoch shuffle (seed = training.seed * 1000003 + epoch) and the augmentation
  (random crop after zero padding, horizontal flip; one generator per batch).

All settings come from project.json; nothing here is specific to one project.
"""
import gzip
import math
import os
import struct

import torch

MASK64 = (1 << 64) - 1


class MT19937_64:
    """The 64-bit Mersenne Twister (std::mt19937_64), seeded like the C++ standard library."""

    def __init__(self, seed):
        mt = [0] * 312
        mt[0] = seed & MASK64
        for i in range(1, 312):
            mt[i] = (6364136223846793005 * (mt[i - 1] ^ (mt[i - 1] >> 62)) + i) & MASK64
        self.mt = mt
        self.index = 312

    def _twist(self):
        mt = self.mt
        upper, lower = 0xFFFFFFFF80000000, 0x7FFFFFFF
        matrix = 0xB5026F5AA96619E9
        for i in range(312):
            x = (mt[i] & upper) | (mt[(i + 1) % 312] & lower)
            xa = x >> 1
            if x & 1:
                xa ^= matrix
            mt[i] = mt[(i + 156) % 312] ^ xa
        self.index = 0

    def __call__(self):
        if self.index >= 312:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & MASK64


def below(rng, bound):
    """A uniform integer in [0, bound): (rng() * bound) >> 64, as the C++ code computes it."""
    return (rng() * bound) >> 64


def mix(x):
    """SplitMix64 finaliser (the C++ BatchLoader's per-batch generator seeds)."""
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def shuffled(values, seed):
    """`values` (a list) in the Fisher-Yates order fixed by seed."""
    out = list(values)
    rng = MT19937_64(seed & MASK64)
    for i in range(len(out), 1, -1):
        j = below(rng, i)
        out[i - 1], out[j] = out[j], out[i - 1]
    return out


def split_train_validation(n, fraction, seed):
    """(train, validation) sorted index lists: a seeded permutation, the last `fraction` validation."""
    order = shuffled(range(n), seed)
    validation = min(max(int(math.floor(n * fraction + 0.5)), 0), n)  # llround for positive values
    cut = n - validation
    return sorted(order[:cut]), sorted(order[cut:])


def epoch_order(train_indices, training_seed, epoch):
    """The shuffled training order of epoch `epoch` (1-based), as the C++ trainer draws it."""
    return shuffled(train_indices, (training_seed * 1000003 + epoch) & MASK64)


class DataError(Exception):
    """The data cannot be read; the message names the file and the problem."""


class Dataset:
    """A data set in memory, in the compact form of the C++ trainer: uint8 images [N, C, H, W],
    float32 features [N, F] or int64 token windows [N, L]; targets int64 [N] or [N, L]."""

    def __init__(self):
        self.train_inputs = self.train_targets = None
        self.test_inputs = self.test_targets = None
        self.class_names = []
        self.next_token = False
        self.description = ""

    @property
    def has_test(self):
        return self.test_inputs is not None and self.test_inputs.shape[0] > 0


def _read_bytes(path):
    try:
        with open(path, "rb") as f:
            head = f.read(2)
        if head == b"\x1f\x8b":
            with gzip.open(path, "rb") as f:
                return f.read()
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise DataError("%s: cannot read (%s)" % (path, e.strerror or e))


# ---------------------------------------------------------------------------------------------
# IDX (MNIST, Fashion-MNIST)

FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot"]


def _find_idx(folder, name):
    for candidate in (name + ".gz", name):
        p = os.path.join(folder, candidate)
        if os.path.isfile(p):
            return p
    return None


def _read_idx(path, magic, rank):
    data = _read_bytes(path)
    if len(data) < 4 + 4 * rank:
        raise DataError("%s: truncated header" % path)
    got = struct.unpack(">I", data[:4])[0]
    if got != magic:
        raise DataError("%s: magic number %d, expected %d" % (path, got, magic))
    dims = list(struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank]))
    header = 4 + 4 * rank
    expected = header + math.prod(dims)
    if len(data) < expected:
        raise DataError("%s: truncated file: expected %d bytes, got %d" % (path, expected, len(data)))
    if len(data) > expected:
        raise DataError("%s: %d bytes, expected %d (extra data after the last item)" % (path, len(data), expected))
    return torch.frombuffer(bytearray(data[header:]), dtype=torch.uint8), dims


def _read_idx_split(folder, prefix, required):
    images_name, labels_name = prefix + "-images-idx3-ubyte", prefix + "-labels-idx1-ubyte"
    images_path, labels_path = _find_idx(folder, images_name), _find_idx(folder, labels_name)
    if not required and images_path is None and labels_path is None:
        return None, None
    for path, name in ((images_path, images_name), (labels_path, labels_name)):
        if path is None:
            raise DataError("%s[.gz]: file not found" % os.path.join(folder, name))
    images, idims = _read_idx(images_path, 2051, 3)
    labels, ldims = _read_idx(labels_path, 2049, 1)
    if idims[0] != ldims[0]:
        raise DataError("%s has %d labels but %s has %d images" % (labels_path, ldims[0], images_path, idims[0]))
    return images.view(idims[0], 1, idims[1], idims[2]).clone(), labels.to(torch.int64)


def read_idx(folder):
    if not os.path.isdir(folder):
        raise DataError("%s: folder not found" % folder)
    d = Dataset()
    d.train_inputs, d.train_targets = _read_idx_split(folder, "train", True)
    d.test_inputs, d.test_targets = _read_idx_split(folder, "t10k", False)
    max_label = int(d.train_targets.max()) if d.train_targets.numel() else -1
    if "fashion" in folder.lower():
        d.class_names = list(FASHION_CLASSES)
    else:
        d.class_names = [str(c) for c in range(max(10, max_label + 1))]
    for t in (d.train_targets, d.test_targets):
        if t is not None and t.numel() and int(t.max()) >= len(d.class_names):
            raise DataError("%s: a label is out of range for %d classes" % (folder, len(d.class_names)))
    return d


# ---------------------------------------------------------------------------------------------
# CIFAR-10 binary batches

CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def _read_cifar_batches(paths, classes):
    record = 1 + 3 * 32 * 32
    parts, labels = [], []
    for path in paths:
        data = _read_bytes(path)
        if not data:
            raise DataError("%s: empty file" % path)
        if len(data) % record:
            raise DataError("%s: truncated file: %d bytes is not a whole number of %d-byte records"
                            % (path, len(data), record))
        t = torch.frombuffer(bytearray(data), dtype=torch.uint8).view(-1, record)
        if t.shape[0] and int(t[:, 0].max()) >= classes:
            raise DataError("%s: a label is out of range for %d classes" % (path, classes))
        labels.append(t[:, 0].to(torch.int64))
        parts.append(t[:, 1:].reshape(-1, 3, 32, 32).clone())
    return torch.cat(parts), torch.cat(labels)


def read_cifar10(folder):
    if not os.path.isdir(folder):
        raise DataError("%s: folder not found" % folder)
    if not os.path.isfile(os.path.join(folder, "data_batch_1.bin")) and \
            os.path.isdir(os.path.join(folder, "cifar-10-batches-bin")):
        folder = os.path.join(folder, "cifar-10-batches-bin")
    train = [os.path.join(folder, "data_batch_%d.bin" % i) for i in range(1, 6)]
    train = [p for p in train if os.path.isfile(p)]
    if not train:
        raise DataError("%s: file not found" % os.path.join(folder, "data_batch_1.bin"))
    d = Dataset()
    meta = os.path.join(folder, "batches.meta.txt")
    names = []
    if os.path.isfile(meta):
        text = _read_bytes(meta)
        for line in text.split(b"\n"):
            name = line.strip(b" \t\r\n")
            if name:
                names.append(_to_utf8(name))
    d.class_names = names or list(CIFAR_CLASSES)
    d.train_inputs, d.train_targets = _read_cifar_batches(train, len(d.class_names))
    test = os.path.join(folder, "test_batch.bin")
    if os.path.isfile(test):
        d.test_inputs, d.test_targets = _read_cifar_batches([test], len(d.class_names))
    return d


def _to_utf8(raw):
    """Bytes as text: UTF-8 when valid, else Latin-1 (as the C++ toUtf8)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


# ---------------------------------------------------------------------------------------------
# CSV

def _split_cells(line, sep):
    cells, cell, quoted, i = [], [], False, 0
    while i < len(line):
        c = line[i]
        if c == '"' and quoted and i + 1 < len(line) and line[i + 1] == '"':
            cell.append('"')
            i += 1
        elif c == '"':
            quoted = not quoted
        elif c == sep and not quoted:
            cells.append("".join(cell))
            cell = []
        else:
            cell.append(c)
        i += 1
    cells.append("".join(cell))
    return [x.strip(" \t\r\n") for x in cells]


def _number(cell):
    text = cell[1:] if cell.startswith("+") else cell
    if not text or text[0] in "+ \t" or text.lower().lstrip("-") in ("inf", "infinity", "nan"):
        return None
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def read_csv(path, label_column):
    data = _read_bytes(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("latin-1")  # byte-preserving; cells are decoded as UTF-8 where needed
    rows, sep = [], None
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip(" \t\r"):
            continue
        if sep is None:
            sep = "," if "," in line else ";" if ";" in line else "\t" if "\t" in line else ","
        rows.append((number, _split_cells(line, sep)))
    if not rows:
        raise DataError("%s: empty file" % path)
    first = rows[0][1]
    label_column = label_column.strip(" \t\r\n")
    header = False
    if label_column.isdigit():
        label_index = int(label_column)
        if label_index >= len(first):
            raise DataError("%s: label column %s is out of range (%d columns, counted from 0)"
                            % (path, label_column, len(first)))
        header = any(_number(c) is None for i, c in enumerate(first) if i != label_index)
    elif label_column.encode("utf-8").decode("latin-1") in first:
        label_index = first.index(label_column.encode("utf-8").decode("latin-1"))
        header = True
    else:
        raise DataError("%s: no column named '%s'" % (path, label_column))
    if len(first) < 2:
        raise DataError("%s: needs at least one feature column besides the label" % path)
    features, labels = [], []
    for number, cells in rows[1:] if header else rows:
        if len(cells) != len(first):
            raise DataError("%s line %d: %d columns, expected %d" % (path, number, len(cells), len(first)))
        row = []
        for c, cell in enumerate(cells):
            if c == label_index:
                if not cell:
                    raise DataError("%s line %d, column %d: empty label" % (path, number, c + 1))
                labels.append(_to_utf8(cell.encode("latin-1")))
                continue
            v = _number(cell)
            if v is None or abs(v) > 3.4028234663852886e38:
                raise DataError("%s line %d, column %d: '%s' is not a number" % (path, number, c + 1, cell))
            row.append(v)
        features.append(row)
    if not labels:
        raise DataError("%s: no data rows" % path)
    values = [_number(s) for s in labels]
    if all(v is not None for v in values):  # numeric labels: ordered by value, named as first spelled
        spelling = {}
        for v, s in zip(values, labels):
            spelling.setdefault(v, s)
        keys = sorted(spelling)
        index = {v: i for i, v in enumerate(keys)}
        names = [spelling[v] for v in keys]
        targets = [index[v] for v in values]
    else:  # text labels: ordered by their bytes
        names = sorted(set(labels), key=lambda s: s.encode("utf-8"))
        index = {s: i for i, s in enumerate(names)}
        targets = [index[s] for s in labels]
    d = Dataset()
    d.class_names = names
    d.train_inputs = torch.tensor(features, dtype=torch.float64).to(torch.float32)
    d.train_targets = torch.tensor(targets, dtype=torch.int64)
    return d


# ---------------------------------------------------------------------------------------------
# Image folder (one subfolder per class; optional train/ and test/)

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def _sorted_entries(folder, keep):
    names = sorted(os.listdir(folder), key=os.fsencode)
    return [os.path.join(folder, n) for n in names if keep(os.path.join(folder, n))]


def _class_folders(folder):
    return _sorted_entries(folder, lambda p: os.path.isdir(p) and not os.path.basename(p).startswith("."))


def _is_image(p):
    name = os.path.basename(p)
    return os.path.isfile(p) and not name.startswith(".") and os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS


def _decode(path, size, channels):
    try:
        from PIL import Image
    except ImportError:
        raise DataError("image-folder data needs the Python package Pillow (pip install pillow) to decode %s" % path)
    try:
        with Image.open(path) as im:
            rgb = im.convert("RGB")
    except Exception as e:  # noqa: BLE001 - any decoder failure names the file
        raise DataError("%s: cannot decode image (%s)" % (path, e))
    h, w = size
    t = torch.frombuffer(bytearray(rgb.tobytes()), dtype=torch.uint8).view(rgb.height, rgb.width, 3)
    if channels == 1:  # stb_image's grey: (77 r + 150 g + 29 b) >> 8
        t32 = t.to(torch.int32)
        t = ((t32[..., 0] * 77 + t32[..., 1] * 150 + t32[..., 2] * 29) >> 8).to(torch.uint8).unsqueeze(-1)
    if (rgb.height, rgb.width) != (h, w):
        # The C++ reader resizes with stb_image_resize; PIL's bicubic filter is close, not identical.
        x = t.permute(2, 0, 1).unsqueeze(0).to(torch.float32)
        x = torch.nn.functional.interpolate(x, size=(h, w), mode="bicubic", align_corners=False,
                                            antialias=True)
        t = x.round().clamp(0, 255).to(torch.uint8)[0].permute(1, 2, 0)
    return t.permute(2, 0, 1).contiguous()


def _read_image_split(split, classes, training, size, channels):
    folders = _class_folders(split)
    if not folders:
        raise DataError("%s: no class subfolders (expected one subfolder per class)" % split)
    images, labels = [], []
    for folder in folders:
        name = _to_utf8(os.fsencode(os.path.basename(folder)))
        if name not in classes:
            if not training:
                raise DataError("%s: class '%s' does not exist in the training images" % (folder, name))
            classes.append(name)
        label = classes.index(name)
        for f in _sorted_entries(folder, _is_image):
            images.append(_decode(f, size, channels))
            labels.append(label)
    if not images:
        raise DataError("%s: no images (PNG, JPEG, BMP or GIF) in the class subfolders" % split)
    if training:
        for c, name in enumerate(classes):
            if c not in labels:
                raise DataError("%s: class folder has no images" % os.path.join(split, name))
    return torch.stack(images), torch.tensor(labels, dtype=torch.int64)


def read_image_folder(folder, size, channels):
    if len(size) != 2 or size[0] <= 0 or size[1] <= 0:
        raise DataError("%s: image size must be [height, width] with positive values" % folder)
    if channels not in (1, 3):
        raise DataError("%s: channels must be 1 or 3, got %d" % (folder, channels))
    if not os.path.isdir(folder):
        raise DataError("%s: folder not found" % folder)
    train, test = os.path.join(folder, "train"), os.path.join(folder, "test")
    if not (os.path.isdir(train) and os.path.isdir(test) and _class_folders(train) and _class_folders(test)):
        train, test = folder, None
    d = Dataset()
    d.train_inputs, d.train_targets = _read_image_split(train, d.class_names, True, size, channels)
    if test:
        d.test_inputs, d.test_targets = _read_image_split(test, d.class_names, False, size, channels)
    return d


# ---------------------------------------------------------------------------------------------
# Character-level text

def byte_token_name(b):
    return chr(b)  # ASCII as itself, other bytes as their Latin-1 character


def read_text(path, length):
    if length <= 0:
        raise DataError("%s: sequence length must be positive, got %d" % (path, length))
    data = _read_bytes(path)
    if len(data) < length + 1:
        raise DataError("%s: text too short: %d characters, need at least %d" % (path, len(data), length + 1))
    raw = torch.frombuffer(bytearray(data), dtype=torch.uint8).to(torch.int64)
    present = torch.zeros(256, dtype=torch.bool)
    present[raw] = True
    vocabulary = [b for b in range(256) if present[b]]
    id_of = torch.zeros(256, dtype=torch.int64)
    id_of[torch.tensor(vocabulary, dtype=torch.int64)] = torch.arange(len(vocabulary))
    ids = id_of[raw]
    windows = (len(data) - 1) // length  # stride = length: windows do not overlap
    d = Dataset()
    d.train_inputs = ids[:windows * length].view(windows, length).clone()
    d.train_targets = ids[1:1 + windows * length].view(windows, length).clone()
    d.class_names = [byte_token_name(b) for b in vocabulary]
    d.next_token = True
    return d


# ---------------------------------------------------------------------------------------------

def load_dataset(data, limit=None):
    """Reads what project.json's "data" describes and applies its limit (or `limit` when given)."""
    kind = data.get("kind", "idx")
    path = data.get("path", "/usr/share/datasets/fashion-mnist")
    if kind == "idx":
        d = read_idx(path)
    elif kind == "cifar10":
        d = read_cifar10(path)
    elif kind == "csv":
        d = read_csv(path, str(data.get("label_column", "label")))
    elif kind == "image-folder":
        d = read_image_folder(path, list(data.get("image_size", [32, 32])), int(data.get("channels", 3)))
    elif kind == "text":
        d = read_text(path, int(data.get("sequence_length", 64)))
    else:
        raise DataError("unknown data kind '%s' (known kinds: cifar10, csv, idx, image-folder, text)" % kind)
    full = d.train_inputs.shape[0]
    limit = int(data.get("limit", 0)) if limit is None else int(limit)
    if 0 < limit < full:
        d.train_inputs = d.train_inputs[:limit].clone()
        d.train_targets = d.train_targets[:limit].clone()
    test = d.test_inputs.shape[0] if d.has_test else 0
    d.description = "%s (%s): %d train%s, %d %s" % (
        os.path.basename(os.path.normpath(path)), kind, d.train_inputs.shape[0],
        (" of %d" % full) if d.train_inputs.shape[0] < full else "", len(d.class_names),
        "tokens" if d.next_token else "classes") + (", %d test" % test if test else "")
    return d


# ---------------------------------------------------------------------------------------------
# Normalization

def _chunk_samples(inputs):
    per_sample = inputs[0].numel() if inputs.shape[0] > 0 else 1
    return min(max((1 << 22) // max(per_sample, 1), 1), 4096)


def _sum_over_samples(inputs, indices, per_chunk):
    n, step, channels = indices.numel(), _chunk_samples(inputs), inputs.shape[1]
    total = None
    for start in range(0, n, step):
        chunk = inputs.index_select(0, indices[start:min(n, start + step)])
        part = per_chunk(chunk.to(torch.float64).reshape(chunk.shape[0], channels, -1))
        total = part if total is None else total + part
    return total


def compute_normalization(dataset, train_indices):
    """(mean, std) per channel ([C, 1, 1]) or feature ([F]) over the training split, in the model's
    input units (images in [0, 1]); (None, None) for token data. Same arithmetic as the C++ trainer."""
    inputs = dataset.train_inputs
    if inputs.dim() < 2 or len(train_indices) == 0:
        return None, None
    is_bytes = inputs.dtype == torch.uint8
    if not is_bytes and not inputs.is_floating_point():
        return None, None
    with torch.no_grad():
        indices = torch.tensor(train_indices, dtype=torch.int64)
        count = float(indices.numel()) * float(inputs[0].numel() // inputs.shape[1])

        def channel_sums(v):
            return v.sum(2).sum(0)

        if is_bytes:
            sums = _sum_over_samples(inputs, indices, lambda v: torch.stack([channel_sums(v), channel_sums(v.square())]))
            mean = sums[0] / count
            var = (sums[1] / count - mean.square()).clamp_min(0.0)
            mean, std = mean / 255.0, var.sqrt() / 255.0
        else:
            mean = _sum_over_samples(inputs, indices, channel_sums) / count
            centre = mean.view(1, -1, 1)
            var = _sum_over_samples(inputs, indices, lambda v: channel_sums((v - centre).square())) / count
            std = var.sqrt()
        shape = [1] * (inputs.dim() - 1)
        shape[0] = inputs.shape[1]
        return mean.view(shape).to(torch.float32), std.clamp_min(1e-6).view(shape).to(torch.float32)


# ---------------------------------------------------------------------------------------------
# Batches

def to_model_input(stored):
    """uint8 -> float32 in [0, 1]; anything else unchanged."""
    return stored.to(torch.float32).div_(255.0) if stored.dtype == torch.uint8 else stored


def augment(x, crop_padding, flip, rng):
    """Random crop after zero padding and/or horizontal flip per sample of a float [B, C, H, W] batch,
    drawing from rng exactly as the C++ BatchLoader does."""
    B, C, H, W = x.shape
    p = crop_padding
    dy, dx, fl = [0] * B, [0] * B, [False] * B
    offsets = 2 * p + 1
    for i in range(B):
        if p > 0:
            dy[i] = below(rng, offsets)
            dx[i] = below(rng, offsets)
        if flip:
            fl[i] = (rng() >> 63) != 0
    dy = torch.tensor(dy, dtype=torch.int64).view(B, 1, 1)
    dx = torch.tensor(dx, dtype=torch.int64).view(B, 1, 1)
    fl = torch.tensor(fl, dtype=torch.bool).view(B, 1, 1)
    Hp, Wp = H + 2 * p, W + 2 * p
    padded = torch.constant_pad_nd(x, [p, p, p, p], 0.0) if p > 0 else x
    j = torch.arange(W, dtype=torch.int64).view(1, 1, W)
    rows = dy + torch.arange(H, dtype=torch.int64).view(1, H, 1)
    cols = dx + torch.where(fl, (W - 1) - j, j)
    source = (rows * Wp + cols).view(B, 1, H * W).expand(B, C, H * W)
    return padded.reshape(B, C, Hp * Wp).gather(2, source).view(B, C, H, W)


def batches(inputs, targets, order, batch_size, seed=0, crop_padding=0, flip=False):
    """(inputs, targets) of `order` (a list of sample indices) in batches of batch_size, inputs in
    model form; with augmentation, batch b draws from mt19937_64(mix(seed ^ mix(b)))."""
    order = torch.tensor(order, dtype=torch.int64)
    for b, start in enumerate(range(0, order.numel(), batch_size)):
        index = order[start:start + batch_size]
        x = to_model_input(inputs.index_select(0, index))
        y = targets.index_select(0, index)
        if (crop_padding > 0 or flip) and x.dim() == 4 and x.is_floating_point():
            x = augment(x, max(crop_padding, 0), flip, MT19937_64(mix((seed ^ mix(b)) & MASK64)))
        yield x, y
)nc_text";
}

const char* trainingProgramTrainPy() {
  return R"nc_text("""Trains the model of model.py the way NeuralCanvas trains it, on one process or many.

    python3 train.py [--out DIR] [--resume] [--epochs N] [--limit N] [--threads N]
    torchrun --nproc_per_node=N train.py ...                       (one machine)
    torchrun --nnodes=M --node_rank=R --nproc_per_node=N \\
             --rdzv_backend=c10d --rdzv_endpoint=HOST:PORT train.py ... (several machines)

Every setting (optimizer, schedule, warm-up, loss, clipping, epochs, seed, accumulation,
precision, data and its split) is read from project.json beside this file. Under torchrun each
process trains on its slice of the same shuffled order (DistributedDataParallel averages the
gradients), with gloo on CPU and NCCL on CUDA; rank 0 alone writes the output folder:
metrics.jsonl, log.txt, result.json, last.state.pt, best.state.pt, checkpoint.pt, project.json.
"""
import argparse
import hashlib
import importlib.util
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data as ncdata  # noqa: E402  (data.py beside this file)


class TrainingError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Settings

TRAINING_DEFAULTS = {
    "epochs": 3, "batch_size": 64, "optimizer": "adam", "learning_rate": 1e-3, "momentum": 0.9,
    "nesterov": False, "weight_decay": 0.0, "schedule": "constant", "step_size": 1, "gamma": 0.5,
    "min_learning_rate": 0.0, "warmup_steps": 0, "loss": "cross_entropy", "label_smoothing": 0.0,
    "grad_clip": 0.0, "seed": 42, "device": "cpu", "threads": 0, "patience": 0, "monitor": "val_accuracy",
    "eval_batch_size": 128, "accumulate_steps": 1, "precision": "float32",
}
DATA_DEFAULTS = {"validation_fraction": 0.1, "seed": 42, "limit": 0, "crop_padding": 0, "horizontal_flip": False}


def read_json(path):
    with open(path, "r", encoding="utf-8") as f:
        return json.load(f)


def settings(project):
    t = dict(TRAINING_DEFAULTS)
    t.update(project.get("training", {}))
    d = dict(DATA_DEFAULTS)
    d.update(project.get("data", {}))
    return t, d


# ---------------------------------------------------------------------------------------------
# Optimization (the C++ trainer's makeOptimizer, learningRateAt and computeLoss)

def make_optimizer(t, params):
    lr, wd = t["learning_rate"], t["weight_decay"]
    if t["optimizer"] == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=t["momentum"],
                               nesterov=bool(t["nesterov"]) and t["momentum"] > 0, weight_decay=wd)
    if t["optimizer"] == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    if t["optimizer"] == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=t["momentum"], weight_decay=wd)
    return torch.optim.Adam(params, lr=lr, weight_decay=wd)


def learning_rate_at(t, step, steps_per_epoch, total_steps):
    """The learning rate of optimizer step `step` (0-based): schedule, then linear warm-up."""
    lr = t["learning_rate"]
    warmup = t["warmup_steps"]
    if t["schedule"] == "step":
        epoch = step // steps_per_epoch if steps_per_epoch > 0 else 0
        lr *= math.pow(t["gamma"], float(epoch // t["step_size"]))
    elif t["schedule"] == "cosine":
        span = max(1, total_steps - warmup)
        x = min(max(float(step - warmup) / float(span), 0.0), 1.0)
        lr = t["min_learning_rate"] + (t["learning_rate"] - t["min_learning_rate"]) * 0.5 * (1.0 + math.cos(math.pi * x))
    if warmup > 0 and step < warmup:
        lr *= float(step + 1) / float(warmup)
    return lr


def compute_loss(t, logits, targets):
    flat_logits = logits.reshape(-1, logits.shape[2]) if logits.dim() == 3 else logits
    flat_targets = targets.reshape(-1)
    if t["loss"] == "mse":
        one_hot = F.one_hot(flat_targets, flat_logits.shape[1]).to(flat_logits.dtype)
        return F.mse_loss(flat_logits, one_hot)
    return F.cross_entropy(flat_logits, flat_targets, label_smoothing=t["label_smoothing"])


# ---------------------------------------------------------------------------------------------
# Output folder (rank 0)

def finite(v):
    return v if v is not None and math.isfinite(v) else None


def save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def write_text_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Output:
    """The run folder; every method is a no-op on ranks other than 0."""

    def __init__(self, path, enabled, resume):
        self.path, self.enabled = path, enabled
        if not enabled:
            return
        os.makedirs(path, exist_ok=True)
        metrics = os.path.join(path, "metrics.jsonl")
        mode = "a" if resume else "w"
        self.metrics = open(metrics, mode, encoding="utf-8")
        self.log_file = open(os.path.join(path, "log.txt"), mode, encoding="utf-8")

    def log(self, line):
        if not self.enabled:
            return
        print(line, flush=True)
        self.log_file.write(line + "\n")
        self.log_file.flush()

    def line(self, obj):
        if self.enabled:
            self.metrics.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
            self.metrics.flush()

    def truncate_after(self, step):
        """On resume: keep only the metrics lines up to the checkpoint's step."""
        if not self.enabled:
            return
        self.metrics.close()
        path = os.path.join(self.path, "metrics.jsonl")
        kept = []
        if os.path.exists(path):
            with open(path, "r", encoding="utf-8") as f:
                for text in f:
                    try:
                        j = json.loads(text)
                    except ValueError:
                        break
                    if isinstance(j, dict) and isinstance(j.get("step"), int) and j["step"] <= step:
                        kept.append(text if text.endswith("\n") else text + "\n")
        write_text_atomic(path, "".join(kept))
        self.metrics = open(path, "a", encoding="utf-8")

    def file(self, name):
        return os.path.join(self.path, name)


def plain_state(model):
    """model.py's state dict as a plain {key: CPU float32 tensor} dict."""
    out = {}
    for k, v in model.state_dict().items():
        v = v.detach().to("cpu")
        out[k] = v.to(torch.float32).clone() if v.is_floating_point() else v.clone()
    return out


def weights_hash(model):
    h = hashlib.sha256()
    for k, v in sorted(model.state_dict().items()):
        h.update(k.encode("utf-8"))
        h.update(v.detach().to("cpu").contiguous().numpy().tobytes())
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------

def load_model_module():
    spec = importlib.util.spec_from_file_location("exported_model", os.path.join(HERE, "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(HERE, "run"), help="output folder (default: run beside train.py)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.add_argument("--epochs", type=int, help="train this many epochs in total (default: project.json's)")
    p.add_argument("--limit", type=int, help="use at most this many training samples (default: project.json's)")
    p.add_argument("--threads", type=int, help="intra-op threads per process (default: project.json's "
                   "training.threads, else the cores divided among this machine's processes)")
    p.add_argument("--project", default=os.path.join(HERE, "project.json"), help=argparse.SUPPRESS)
    p.add_argument("--weights-hash", help=argparse.SUPPRESS)  # tests: each rank writes a hash of its final weights
    return p.parse_args()


def main():
    args = parse_args()
    project = read_json(args.project)
    t, d = settings(project)
    if args.epochs is not None:
        if args.epochs < 1:
            raise TrainingError("--epochs must be at least 1")
        t["epochs"] = args.epochs
    if args.limit is not None:
        d["limit"] = args.limit

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", str(world)))
    distributed = world > 1

    threads = args.threads if args.threads else int(t["threads"])
    if threads <= 0 and distributed:
        threads = max(1, (os.cpu_count() or 1) // max(local_world, 1))
    if threads > 0:
        torch.set_num_threads(threads)

    if t["device"] == "cuda":
        if not torch.cuda.is_available():
            raise TrainingError("CUDA was requested (training.device = cuda) but no CUDA device is available")
        device = torch.device("cuda", local_rank if distributed else 0)
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    precision = t["precision"]
    if precision == "float16" and device.type != "cuda":
        raise TrainingError("precision float16 needs a CUDA device (loss scaling); on the CPU use bfloat16 or float32")
    if distributed:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")

    out_path = os.path.abspath(args.out)
    if rank == 0 and not args.resume and os.path.isdir(out_path) and os.listdir(out_path):
        raise TrainingError("%s: the folder is not empty (it holds another run?): a new run needs a new or empty "
                            "folder; choose another --out, or continue that run with --resume" % out_path)
    out = Output(out_path, rank == 0, args.resume)
    try:
        result = train(args, project, t, d, world, rank, device, precision, distributed, out)
    finally:
        if distributed:
            dist.destroy_process_group()
    return result


def train(args, project, t, d, world, rank, device, precision, distributed, out):
    start = time.time()
    dataset = ncdata.load_dataset(d, d["limit"])
    out.log("data: " + dataset.description)
    program = {}
    if os.path.exists(os.path.join(HERE, "program.json")):
        program = read_json(os.path.join(HERE, "program.json"))

    torch.manual_seed(int(t["seed"]))
    model_module = load_model_module()
    model = model_module.load(os.path.join(HERE, "model.state.pt"))  # the exported (initial) weights
    train_idx, val_idx = ncdata.split_train_validation(dataset.train_inputs.shape[0], float(d["validation_fraction"]),
                                                       int(d["seed"]))
    if not train_idx:
        raise TrainingError("no training samples left after the validation split")
    if program.get("initial_weights") != "checkpoint":  # a checkpoint's weights keep their own normalization
        mean, std = ncdata.compute_normalization(dataset, train_idx)
        if mean is not None:
            with torch.no_grad():
                model.input_mean.copy_(mean.view(model.input_mean.shape))
                model.input_std.copy_(std.view(model.input_std.shape))
    model.to(device)
    model.train()
    optimizer = make_optimizer(t, model.parameters())
    scaler = torch.cuda.amp.GradScaler(enabled=(precision == "float16"))
    autocast_dtype = {"bfloat16": torch.bfloat16, "float16": torch.float16}.get(precision)

    def autocast():
        if autocast_dtype is None:
            return torch.autocast(device_type=device.type, enabled=False)
        return torch.autocast(device_type=device.type, dtype=autocast_dtype)

    batch = int(t["batch_size"])
    accumulate = max(1, int(t["accumulate_steps"]))
    # This process's share of each epoch's order (as DistributedSampler: padded to a multiple of
    # the world size, then every world-th sample from this rank's position).
    per_rank = (len(train_idx) + world - 1) // world
    batches_per_epoch = (per_rank + batch - 1) // batch
    steps_per_epoch = (batches_per_epoch + accumulate - 1) // accumulate
    total_steps = int(t["epochs"]) * steps_per_epoch
    monitor = t["monitor"]
    epoch, step, epochs_since_best = 0, 0, 0
    best_metric = math.inf if monitor == "val_loss" else -math.inf
    best_val_accuracy = 0.0
    history = []

    checkpoint_path = out.file("checkpoint.pt") if out.enabled else os.path.join(os.path.abspath(args.out), "checkpoint.pt")
    if args.resume:
        if not os.path.exists(checkpoint_path):
            raise TrainingError("%s: no checkpoint to resume from" % checkpoint_path)
        c = torch.load(checkpoint_path, map_location="cpu")
        model.load_state_dict(c["model"])
        model.to(device)
        optimizer.load_state_dict(c["optimizer"])
        if "scaler" in c:
            scaler.load_state_dict(c["scaler"])
        torch.set_rng_state(c["rng"])
        epoch, step, epochs_since_best = c["epoch"], c["step"], c["epochs_since_best"]
        best_metric, best_val_accuracy, history = c["best_metric"], c["best_val_accuracy"], c["history"]
        if int(t["epochs"]) <= epoch:
            raise TrainingError("nothing to continue: the run already completed %d epochs and %d are asked for; "
                                "ask for more with --epochs" % (epoch, int(t["epochs"])))
        out.truncate_after(step)
        out.log("resumed from %s after epoch %d (step %d)" % (checkpoint_path, epoch, step))
    if out.enabled:
        # The project as this run trains it: --epochs and --limit are written in, so that the run
        # folder (and import-run) says how many epochs it planned, like the app's own runs.
        run_project = json.loads(json.dumps(project))
        run_project.setdefault("training", {})["epochs"] = int(t["epochs"])
        run_project.setdefault("data", {})["limit"] = int(d["limit"])
        write_text_atomic(out.file("project.json"), json.dumps(run_project, indent=2) + "\n")
    net = model
    if distributed:
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)

    params = sum(p.numel() for p in model.parameters())
    out.log("model: %d parameters on %s, %d training and %d validation samples, %d steps per epoch%s" % (
        params, device, len(train_idx), len(val_idx), steps_per_epoch,
        (", %d processes (world size), %d samples per process per step" % (world, batch)) if world > 1 else ""))

    classes = len(dataset.class_names)
    confusion = None
    run_start = time.time()

    def reduce_sum(values):
        v = torch.tensor(values, dtype=torch.float64, device=device)
        if distributed:
            dist.all_reduce(v)
        return v.cpu().tolist()

    def evaluate(inputs, targets, indices, want_confusion):
        """(loss, accuracy, confusion) over `indices`, shared out among the processes; in float32
        whatever the training precision, as the trainer evaluates."""
        mine = indices[rank::world]
        loss_sum, correct, predictions = 0.0, 0, 0
        matrix = torch.zeros(classes * classes, dtype=torch.int64)
        model.eval()
        with torch.no_grad():
            for x, y in ncdata.batches(inputs, targets, mine, int(t["eval_batch_size"])):
                x, y = x.to(device), y.to(device)
                logits = model(x)
                loss_sum += compute_loss(t, logits, y).item() * y.numel()
                correct += int(logits.argmax(-1).eq(y).sum())
                predictions += y.numel()
                if want_confusion and not dataset.next_token:
                    flat = (y.reshape(-1) * classes + logits.argmax(-1).reshape(-1)).cpu()
                    matrix += torch.bincount(flat, minlength=classes * classes)
        model.train()
        totals = reduce_sum([loss_sum, correct, predictions] + (matrix.tolist() if want_confusion else []))
        if totals[2] == 0:
            return None, None, None
        m = None
        if want_confusion and not dataset.next_token:
            flat = [int(v) for v in totals[3:]]
            m = [flat[i * classes:(i + 1) * classes] for i in range(classes)]
        return totals[0] / totals[2], totals[1] / totals[2], m

    def sync_buffers():
        """Buffers (BatchNorm statistics) from rank 0 everywhere, so every process holds the same model."""
        if distributed:
            for b in model.buffers():
                dist.broadcast(b, 0)

    crop, flip = int(d["crop_padding"]), bool(d["horizontal_flip"])
    message = ""
    while epoch < int(t["epochs"]):
        epoch_seed = (int(t["seed"]) * 1000003 + epoch + 1) & ncdata.MASK64
        order = ncdata.epoch_order(train_idx, int(t["seed"]), epoch + 1)
        if world > 1:
            order = order + order[:per_rank * world - len(order)]
            order = order[rank::world]
        epoch_start = time.time()
        loss_sum, correct_sum, seen, predictions_seen = 0.0, 0, 0, 0
        smoothed = 0.0
        group = []  # the batches of the current optimizer step
        all_batches = list(range(batches_per_epoch))

        def optimizer_step(group):
            nonlocal step, smoothed, loss_sum, correct_sum, seen, predictions_seen
            t0 = time.time()
            lr = learning_rate_at(t, step, steps_per_epoch, total_steps)
            for g in optimizer.param_groups:
                g["lr"] = lr
            optimizer.zero_grad()
            group_samples = sum(y.shape[0] for _, y in group)
            g_loss, g_right, g_n, g_pred = 0.0, 0, 0, 0
            for i, (x, y) in enumerate(group):
                x, y = x.to(device), y.to(device)
                last = i == len(group) - 1
                ctx = net.no_sync() if distributed and not last else _Null()
                with ctx:
                    with autocast():
                        logits = net(x)
                    logits = logits.float()
                    loss = compute_loss(t, logits, y)
                    value = loss.item()
                    if not math.isfinite(value):
                        raise TrainingError(
                            "the loss became %s at step %d (epoch %d): lower the learning rate or enable gradient "
                            "clipping" % ("NaN" if math.isnan(value) else "infinite", step + 1, epoch + 1))
                    scale = y.shape[0] / group_samples if len(group) > 1 else 1.0
                    scaler.scale(loss * scale if len(group) > 1 else loss).backward()
                g_loss += value * y.shape[0]
                g_right += int(logits.detach().argmax(-1).eq(y).sum())
                g_n += y.shape[0]
                g_pred += y.numel()
            if t["grad_clip"] > 0:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), t["grad_clip"])
            scaler.step(optimizer)
            scaler.update()
            step += 1
            g_loss, g_right, g_n, g_pred = reduce_sum([g_loss, g_right, g_n, g_pred])
            loss_sum += g_loss
            correct_sum += g_right
            seen += g_n
            predictions_seen += g_pred
            dt = time.time() - t0
            rate = g_n / dt if dt > 0 else 0.0
            smoothed = rate if smoothed == 0 else 0.9 * smoothed + 0.1 * rate
            g_loss = g_loss / g_n
            out.line({"kind": "step", "epoch": epoch + 1, "step": step, "loss": finite(g_loss),
                      "accuracy": finite(g_right / g_pred), "learning_rate": finite(lr), "samples_per_s": finite(smoothed),
                      "seconds": time.time() - run_start})

        for b, xy in enumerate(ncdata.batches(dataset.train_inputs, dataset.train_targets, order, batch,
                                              epoch_seed if world == 1 else mix_rank(epoch_seed, rank), crop, flip)):
            group.append(xy)
            if len(group) == accumulate or b == len(all_batches) - 1:
                optimizer_step(group)
                group = []
        seconds = time.time() - epoch_start
        sync_buffers()
        val_loss, val_accuracy, m = evaluate(dataset.train_inputs, dataset.train_targets, val_idx, True)
        if m is not None:
            confusion = m
        train_loss = loss_sum / max(seen, 1)
        train_accuracy = correct_sum / max(predictions_seen, 1)
        has_val = val_accuracy is not None
        metric = (val_loss if has_val else train_loss) if monitor == "val_loss" else (val_accuracy if has_val else train_accuracy)
        better = metric < best_metric if monitor == "val_loss" else metric > best_metric
        if better:
            best_metric, epochs_since_best = metric, 0
        else:
            epochs_since_best += 1
        if has_val:
            best_val_accuracy = max(best_val_accuracy, val_accuracy)
        epoch += 1
        line = {"kind": "epoch", "epoch": epoch, "step": step, "train_loss": finite(train_loss),
                "train_accuracy": finite(train_accuracy), "val_loss": finite(val_loss), "val_accuracy": finite(val_accuracy),
                "samples_per_s": finite(seen / seconds if seconds > 0 else 0.0), "seconds": finite(seconds), "best": better}
        history.append(line)
        out.line(line)
        if out.enabled:
            state = plain_state(model)
            save_atomic(state, out.file("last.state.pt"))
            if better:
                save_atomic(state, out.file("best.state.pt"))
            save_atomic({"format": "neuralcanvas-train.py-checkpoint", "model": model.state_dict(),
                         "optimizer": optimizer.state_dict(), "scaler": scaler.state_dict(), "rng": torch.get_rng_state(),
                         "epoch": epoch, "step": step, "best_metric": best_metric,
                         "epochs_since_best": epochs_since_best, "best_val_accuracy": best_val_accuracy,
                         "history": history}, out.file("checkpoint.pt"))
        out.log("epoch %d/%d: train loss %.4f, accuracy %.4f; validation loss %s, accuracy %s (%.1f s, %.0f samples/s)%s" % (
            epoch, int(t["epochs"]), train_loss, train_accuracy, fmt(val_loss), fmt(val_accuracy), seconds,
            line["samples_per_s"] or 0, " *best" if better else ""))
        if int(t["patience"]) > 0 and epochs_since_best >= int(t["patience"]) and epoch < int(t["epochs"]):
            message = "early stopping: no improvement in %s for %d epochs" % (monitor, int(t["patience"]))
            break

    test_loss = test_accuracy = None
    if dataset.has_test:
        test_loss, test_accuracy, _ = evaluate(dataset.test_inputs, dataset.test_targets,
                                               list(range(dataset.test_inputs.shape[0])), False)
        out.log("test: loss %.4f, accuracy %.4f on %d samples" % (test_loss, test_accuracy, dataset.test_inputs.shape[0]))
    out.log("run completed" + (": " + message if message else "") + " (%.1f s)" % (time.time() - start))
    if out.enabled:
        result = {"status": "completed", "message": message, "epochs_completed": epoch,
                  "best_val_accuracy": finite(best_val_accuracy), "test_loss": finite(test_loss),
                  "test_accuracy": finite(test_accuracy), "class_names": dataset.class_names,
                  "confusion": confusion or []}
        write_text_atomic(out.file("result.json"), json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print("test accuracy: " + ("%.4f" % test_accuracy if test_accuracy is not None else "none (no test split)"),
              flush=True)
    if args.weights_hash:
        with open("%s.rank%d" % (args.weights_hash, rank), "w") as f:
            f.write(weights_hash(model) + "\n")
    return 0


def mix_rank(seed, rank):
    """Each process's augmentation seed under torchrun (one process keeps the trainer's seed)."""
    return ncdata.mix((seed ^ ncdata.mix(rank + 0x5EED)) & ncdata.MASK64)


def fmt(v):
    return "%.4f" % v if v is not None else "n/a"


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (TrainingError, ncdata.DataError) as e:
        print("train.py: " + str(e), file=sys.stderr)
        sys.exit(1)
)nc_text";
}

const char* trainingProgramReadme() {
  return R"nc_text(NeuralCanvas training program
=============================

This folder trains the project's model in plain PyTorch, the way NeuralCanvas trains it:

  model.py          the model (PyTorch source); model.state.pt its starting weights
  data.py           the data pipeline: the same readers, train/validation split, input
                    normalization, per-epoch shuffle and augmentation as NeuralCanvas
  train.py          the training loop: same optimizer, schedule with warm-up, loss, label
                    smoothing, gradient clipping, accumulation, precision, epochs and seed
  project.json      the project; every setting is read from here (edit it to change them)
  program.json      how this folder was made (initial weights or a checkpoint's)

Needs Python 3 with PyTorch (tested with 1.13; Debian: python3-torch) and, for image-folder
data, Pillow. The data must be at the path project.json names ("data" -> "path").

One process
-----------
  python3 train.py                      # writes ./run (next to train.py)
  python3 train.py --out RUN --epochs 5 --limit 20000 --threads 4

With the same seed, one process follows NeuralCanvas's own trainer step for step.

Several processes on one machine (torchrun)
-------------------------------------------
  torchrun --nproc_per_node=2 train.py --out RUN

Several machines (run on each machine, NODE = 0 .. M-1; HOST:PORT reachable from all)
-------------------------------------------------------------------------------------
  torchrun --nnodes=M --node_rank=NODE --nproc_per_node=N \
           --rdzv_backend=c10d --rdzv_endpoint=HOST:PORT train.py --out RUN

Debian's python3-torch 1.13 on Python 3.11: torchrun fails with
"AttributeError: 'NoneType' object has no attribute 'get'" (in to_map) unless it is given
--redirects 1 --tee 1, and the torchrun script may be missing; this works:

  python3 -m torch.distributed.run --redirects 1 --tee 1 --nproc_per_node=2 train.py --out RUN

How the work is shared: every process reads the whole data set and draws the same shuffled
order each epoch; process r takes every world-size-th sample from position r (as PyTorch's
DistributedSampler does) and trains on batches of training.batch_size of its own; the
DistributedDataParallel wrapper averages the gradients. So one optimizer step sees
batch_size x processes samples (x accumulate_steps), and there are that many times fewer
steps per epoch. The learning rate is left as configured. To keep the per-sample progress of
a single process, scale it with the world size yourself: the usual rule is linear,
learning_rate x processes (for Adam often sqrt(processes) is enough), together with a few
hundred warm-up steps (training.warmup_steps) in project.json. Processes use gloo on the
CPU and NCCL on CUDA (training.device = cuda), chosen when the program starts. Each process
uses (cores / processes on this machine) threads unless --threads or training.threads says.
BatchNorm statistics are taken from process 0 at the end of each epoch, so every process
holds identical weights.

Output folder (written by process 0 only)
-----------------------------------------
  metrics.jsonl     one JSON line per optimizer step and per epoch (NeuralCanvas's format)
  log.txt           what was printed
  result.json       status, epochs, best validation accuracy, test loss/accuracy of the final
                    weights, class names, validation confusion matrix [true][predicted]
  last.state.pt     the final weights: a plain {name: tensor} dict that model.py loads
  best.state.pt     the weights of the best epoch (training.monitor)
  checkpoint.pt     train.py's own checkpoint (weights, optimizer, counters) for --resume
  project.json      the project that was trained

Bring the run back into NeuralCanvas (dashboard, eval, export):
  neuralcanvas-cli import-run RUN PROJECT.json

Continue a run that stopped (needs RUN/checkpoint.pt readable by every process, e.g. on a
shared file system when several machines train):
  python3 train.py --out RUN --resume [--epochs N]

Settings in project.json "training" that train.py follows: epochs, batch_size, optimizer
(sgd, adam, adamw, rmsprop), learning_rate, momentum, nesterov, weight_decay, schedule
(constant, step, cosine), step_size, gamma, min_learning_rate, warmup_steps (counted in
optimizer steps), loss (cross_entropy, mse), label_smoothing, grad_clip, seed, device,
threads, patience, monitor, eval_batch_size, accumulate_steps, precision (float32;
bfloat16: autocast on CPU or CUDA; float16: autocast with loss scaling, CUDA only).
The weights and checkpoints stay float32 whatever the precision.

Image-folder data: images are resized with PyTorch's antialiased bicubic filter when their
size differs from data.image_size; NeuralCanvas uses stb_image_resize, so resized pixels can
differ slightly (images already of that size are read identically).
)nc_text";
}

}  // namespace nc::core
