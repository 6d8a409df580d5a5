using System.Buffers;
using System.Collections.Concurrent;

namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>
/// Fixed-size buffer blocks for the pipes behind transport streams, with the block object itself pooled.
/// </summary>
/// <remarks>
/// Why not <see cref="MemoryPool{T}.Shared"/>: it allocates an owner object on every rent, and the array
/// pool behind it keeps only a few arrays per size per core. A relay opens one stream per group per
/// subscriber, so at 100 subscribers a hundred pipes rent a block at the same group boundary; the shared
/// pool ran dry and every new stream allocated a fresh 4 KB array (about 80 B per delivered object,
/// measured with <c>RelayFanoutBenchmarks</c>). Blocks here come from one queue shared by every
/// connection, bounded by <see cref="MaxRetainedBlocks"/> so a burst does not pin memory for ever.
/// </remarks>
internal sealed class TransportBlockPool : MemoryPool<byte>
{
    /// <summary>Block size: the pipes' default segment size, enough for dozens of audio objects.</summary>
    public const int BlockSize = 4096;

    /// <summary>Blocks kept for reuse at most (16 MiB); more than that are left to the GC.</summary>
    public const int MaxRetainedBlocks = 4096;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _retained;

    /// <summary>The pool every transport pipe in the process uses (named so it does not hide <see cref="MemoryPool{T}.Shared"/>).</summary>
    public static TransportBlockPool Process { get; } = new();

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks currently waiting for reuse.</summary>
    public int Retained => Volatile.Read(ref _retained);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            // Pipes never ask for more than MaxBufferSize; a caller that does gets a one-off buffer.
            return new Block(this, minBufferSize, pooled: false);
        }

        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _retained);
            block.Reuse();
            return block;
        }

        return new Block(this, BlockSize, pooled: true);
    }

    protected override void Dispose(bool disposing)
    {
        // Shared for the life of the process.
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _retained) > MaxRetainedBlocks)
        {
            Interlocked.Decrement(ref _retained);
            return;
        }

        _free.Enqueue(block);
    }

    private sealed class Block(TransportBlockPool pool, int size, bool pooled) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(size);
        private int _rented = 1;

        public Memory<byte> Memory => Volatile.Read(ref _rented) == 1 ? _array : throw new ObjectDisposedException(nameof(TransportBlockPool));

        public void Reuse() => Volatile.Write(ref _rented, 1);

        public void Dispose()
        {
            // A second Dispose of the same rental must not put the block in the queue twice.
            if (Interlocked.Exchange(ref _rented, 0) == 1 && pooled)
            {
                pool.Return(this);
            }
        }
    }
}
