namespace ClutchCall.Voice.Media.Tests.Jitter;

public class JitterBufferTests
{
    [Fact]
    public void Pop_InOrderStream_BuffersToTargetThenPlaysEveryPacket()
    {
        using var s = new JitterScript();
        for (var i = 0; i < 6; i++)
        {
            s.Tick(i);
        }

        Assert.Equal("B D0 D1 D2 D3 D4", s.Render());
        var stats = s.Buffer.Stats;
        Assert.Equal(40, stats.TargetDelayMs);
        Assert.Equal(20, stats.DepthMs);
        Assert.Equal(0, stats.JitterMs);
        Assert.Equal(new JitterBufferStats(40, 20, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), stats);
    }

    [Fact]
    public void Pop_ReorderedPackets_PlaysInSequenceOrder()
    {
        using var s = new JitterScript();
        s.Tick(0);
        s.Tick(1);
        s.Tick(3);
        s.Tick(2);
        s.Tick(4);
        s.Tick(5);

        Assert.Equal("B D0 D1 D2 D3 D4", s.Render());
        var stats = s.Buffer.Stats;
        Assert.Equal(6, stats.Received);
        Assert.Equal(0, stats.Lost);
        Assert.Equal(0, stats.Late);
        Assert.Equal(0, stats.Concealed);

        // RFC 3550 §6.4.1 by hand: |D| = 0, 20, 40, 20, 0 ms → J = 4.3991 ms.
        Assert.Equal(4.3991, stats.JitterMs, 3);
        Assert.Equal(40, stats.TargetDelayMs);
    }

    [Fact]
    public void Push_Duplicates_DroppedAndCounted()
    {
        using var s = new JitterScript();
        s.Tick(0);
        s.Tick(1, 1);
        s.Tick(2, 0);
        s.Tick(3);

        Assert.Equal("B D0 D1 D2", s.Render());
        Assert.Equal(
            [JitterPushResult.Accepted, JitterPushResult.Accepted, JitterPushResult.Duplicate, JitterPushResult.Accepted, JitterPushResult.Duplicate, JitterPushResult.Accepted],
            s.PushResults);
        Assert.Equal(2, s.Buffer.Stats.Duplicates);
        Assert.Equal(6, s.Buffer.Stats.Received);
    }

    [Fact]
    public void Pop_SingleLossWithOpus_RecoveredFromNextPacketsFec()
    {
        using var s = new JitterScript(AudioCodec.Opus);
        s.Tick(0);
        s.Tick(1);
        s.Tick();
        s.Tick(3);
        s.Tick(4);
        s.Tick(5);

        Assert.Equal("B D0 D1 F2 D3 D4", s.Render());
        var stats = s.Buffer.Stats;
        Assert.Equal(1, stats.Lost);
        Assert.Equal(1, stats.FecRecovered);
        Assert.Equal(0, stats.Concealed);
        Assert.Equal(1, s.Decoder.FecCalls);
    }

    [Fact]
    public void Pop_SingleLossWithG711_Concealed()
    {
        using var s = new JitterScript(AudioCodec.G711Ulaw);
        s.Tick(0);
        s.Tick(1);
        s.Tick();
        s.Tick(3);
        s.Tick(4);

        Assert.Equal("B D0 D1 C D3", s.Render());
        var stats = s.Buffer.Stats;
        Assert.Equal(1, stats.Lost);
        Assert.Equal(0, stats.FecRecovered);
        Assert.Equal(1, stats.Concealed);
        Assert.Equal(0, s.Decoder.FecCalls);
    }

    [Fact]
    public void Pop_BurstLoss_ConcealsThenUsesFecForTheLastLostPacket()
    {
        using var s = new JitterScript(AudioCodec.Opus);
        s.Tick(0);
        s.Tick(1);
        s.Tick(); // 2, 3, 4 never arrive
        s.Tick();
        s.Tick();
        s.Tick(5);
        s.Tick(6);
        s.Tick(7);
        s.Tick(8);
        s.Tick(9);

        // Ticks 3-4 find the buffer empty (underruns: conceal, wait). At tick 5 packet 5 proves 2-4 lost:
        // 2 and 3 are concealed, 4 comes from 5's FEC. Two underruns left two extra frames of delay; one
        // is dropped (packet 5) to come back within the hysteresis.
        Assert.Equal("B D0 D1 C C C C F4 D6 D7", s.Render());
        var stats = s.Buffer.Stats;
        Assert.Equal(3, stats.Lost);
        Assert.Equal(4, stats.Concealed);
        Assert.Equal(2, stats.Underruns);
        Assert.Equal(1, stats.FecRecovered);
        Assert.Equal(1, stats.Discarded);
        Assert.Equal(0, stats.Late);
        Assert.Equal(40, stats.DepthMs);
    }

    [Fact]
    public void Push_AfterPlayoutPassed_CountedLateAndDropped()
    {
        using var s = new JitterScript(AudioCodec.Opus);
        s.Tick(0);
        s.Tick(1);
        s.Tick(2);
        s.Tick(4);
        s.Tick(5);
        s.Tick(3, 6);
        s.Tick(7);

        Assert.Equal("B D0 D1 D2 F3 D4 D5", s.Render());
        Assert.Equal(JitterPushResult.Late, s.PushResults[5]);
        var stats = s.Buffer.Stats;
        Assert.Equal(8, stats.Received);
        Assert.Equal(1, stats.Late);
        Assert.Equal(1, stats.Lost);
        Assert.Equal(1, stats.FecRecovered);

        // The late packet's transit counts toward jitter (RFC 3550 §6.4.1): J = 7.7771 ms → 20 + 3J → 3 frames.
        Assert.Equal(7.7771, stats.JitterMs, 3);
        Assert.Equal(60, stats.TargetDelayMs);
    }

    [Fact]
    public void JitterSpike_RaisesTargetThenDecaysBackToMinimum()
    {
        using var s = new JitterScript(AudioCodec.Opus);
        for (var i = 0; i < 11; i++)
        {
            s.Tick(i < 10 ? [i] : []);
        }

        // Packets 10..15 are held 100 ms by the network and arrive together at tick 15.
        s.Tick();
        s.Tick();
        s.Tick();
        s.Tick();
        Assert.Equal(40, s.Buffer.Stats.TargetDelayMs);
        s.Tick(10, 11, 12, 13, 14, 15);
        Assert.Equal(60, s.Buffer.Stats.TargetDelayMs);
        Assert.Equal(10.0423, s.Buffer.Stats.JitterMs, 3);
        for (var i = 16; i < 25; i++)
        {
            s.Tick(i);
        }

        Assert.Equal(
            "D9 C C C C D11 D13 D14 D15 D16 D17 D18 D20 D21 D22",
            string.Join(' ', s.Output.Skip(10)));
        var stats = s.Buffer.Stats;
        Assert.Equal(40, stats.TargetDelayMs);
        Assert.Equal(4, stats.Underruns);
        Assert.Equal(4, stats.Concealed);
        Assert.Equal(3, stats.Discarded);
        Assert.Equal(0, stats.Lost);
        Assert.Equal(0, stats.Late);
        Assert.Equal(25, stats.Received);
    }

    [Fact]
    public void Pop_TargetRisesAboveDepth_StretchesWithConcealment()
    {
        using var s = new JitterScript(AudioCodec.Opus, new JitterBufferOptions { JitterMultiplier = 20 });
        s.Tick(0);
        s.Tick(1);
        s.Tick(2);
        s.Tick();
        s.Tick();

        // Packet 3 arrives 40 ms late: J = 2.5 ms → target ceil((20 + 20 × 2.5) / 20) = 4 frames.
        s.Tick(3);
        Assert.Equal(80, s.Buffer.Stats.TargetDelayMs);

        // 4 (late) and 5 (on time) together: J = 3.59 ms → 5 frames.
        s.Tick(4, 5);
        Assert.Equal(100, s.Buffer.Stats.TargetDelayMs);
        s.Tick(6);

        // Tick 4 underruns; ticks 5 and 6 stretch (depth 1 and 3, both below target - 1); tick 7 plays.
        Assert.Equal("B D0 D1 D2 C C C D3", s.Render());
        var stats = s.Buffer.Stats;
        Assert.Equal(1, stats.Underruns);
        Assert.Equal(2, stats.Stretched);
        Assert.Equal(3, stats.Concealed);
        Assert.Equal(0, stats.Lost);
    }

    [Fact]
    public void Push_SequenceWrapsPast65535_StaysInOrder()
    {
        using var s = new JitterScript();
        s.Tick(65533);
        s.Tick(65534);
        s.Tick(65536);
        s.Tick(65535);
        s.Tick(65537);
        s.Tick(65538);

        Assert.Equal("B D65533 D65534 D65535 D0 D1", s.Render());
        Assert.Equal(0, s.Buffer.Stats.Lost);
        Assert.Equal(0, s.Buffer.Stats.Late);
    }

    [Fact]
    public void Push_BeforePlayoutStarts_OlderPacketMovesStartBack()
    {
        using var s = new JitterScript();
        s.Tick(5);
        s.Tick(4);
        s.Tick(6);

        Assert.Equal("B D4 D5", s.Render());
        Assert.Equal(0, s.Buffer.Stats.Late);
    }

    [Fact]
    public void Push_OversizedPayload_DroppedAndCounted()
    {
        using var s = new JitterScript(options: new JitterBufferOptions { MaxPayloadBytes = 100 });
        var result = s.Buffer.Push(0, 0, new byte[101]);

        Assert.Equal(JitterPushResult.TooLarge, result);
        Assert.Equal(1, s.Buffer.Stats.Oversized);
        Assert.Equal(0, s.Buffer.Stats.Received);
    }

    [Fact]
    public void Pop_CorruptPacket_ConcealedAndCounted()
    {
        using var s = new JitterScript(AudioCodec.G711Ulaw);
        s.Tick(0);
        s.Buffer.Push(1, 960, [1, 2, 3]);
        s.Tick();
        s.Tick(2);

        Assert.Equal("B D0 C", s.Render());
        Assert.Equal(1, s.Buffer.Stats.DecodeErrors);
        Assert.Equal(1, s.Buffer.Stats.Concealed);
    }

    [Fact]
    public void Push_SequenceJumpBeyondCapacity_StartsOver()
    {
        using var s = new JitterScript();
        s.Tick(0);
        s.Tick(1);
        s.Tick(1000);
        s.Tick(1001);
        s.Tick(1002);

        Assert.Equal("B D0 B D1000 D1001", s.Render());
        Assert.Equal(1, s.Buffer.Stats.Resets);
    }

    [Fact]
    public void Push_CaptureTimestamps_EstimateJitterInMicroseconds()
    {
        using var s = new JitterScript();
        var frame = new short[s.Buffer.FrameSamples];
        s.Buffer.PushCaptureTime(0, 1_000_000, MarkerDecoder.Packet(0));
        s.Time.Advance(TimeSpan.FromMilliseconds(36));
        s.Buffer.PushCaptureTime(1, 1_020_000, MarkerDecoder.Packet(1));

        // |D| = 36 ms - 20 ms = 16 ms → J = 1 ms.
        Assert.Equal(1.0, s.Buffer.Stats.JitterMs, 6);
        Assert.Equal(JitterFrameKind.Decoded, s.Buffer.Pop(frame));
        Assert.Equal(0, frame[0]);
    }

    [Fact]
    public void PushPop_SteadyState_AllocatesNothing()
    {
        using var s = new JitterScript();
        var frame = new short[s.Buffer.FrameSamples];
        var packet = new byte[2];
        for (var i = 0; i < 100; i++)
        {
            Cycle(s, frame, packet, i);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < 100_000; i++)
        {
            Cycle(s, frame, packet, i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, s.Buffer.Stats.Lost);

        static void Cycle(JitterScript s, short[] frame, byte[] packet, int i)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(packet, (ushort)i);
            s.Buffer.Push((ushort)i, (uint)(i * 960), packet);
            s.Buffer.Pop(frame);
            s.Time.Advance(TimeSpan.FromMilliseconds(20));
        }
    }

    [Fact]
    public void PushPop_RandomAndHostileInput_NeverThrowsAndCountersStayConsistent()
    {
        var rng = new Random(20260101);
        using var s = new JitterScript(options: new JitterBufferOptions { MaxPayloadBytes = 64 });
        var frame = new short[s.Buffer.FrameSamples];
        long pushes = 0, oversized = 0;
        for (var i = 0; i < 50_000; i++)
        {
            switch (rng.Next(6))
            {
                case 0:
                    s.Buffer.Pop(frame);
                    s.Time.Advance(TimeSpan.FromMilliseconds(rng.Next(0, 60)));
                    break;
                case 1:
                    var garbage = new byte[rng.Next(0, 100)];
                    rng.NextBytes(garbage);
                    pushes++;
                    oversized += garbage.Length > 64 ? 1 : 0;
                    s.Buffer.Push((ushort)rng.Next(65536), (uint)rng.NextInt64(uint.MaxValue + 1L), garbage);
                    break;
                default:
                    var seq = (ushort)((i / 3) + rng.Next(-40, 40));
                    pushes++;
                    s.Buffer.Push(seq, (uint)(seq * 960), MarkerDecoder.Packet(seq));
                    break;
            }

            var st = s.Buffer.Stats;
            Assert.InRange(st.TargetDelayMs, 40, 400);
            Assert.InRange(st.DepthMs, 0, 64 * 20);
        }

        var stats = s.Buffer.Stats;
        Assert.Equal(pushes - oversized, stats.Received);
        Assert.Equal(oversized, stats.Oversized);
        Assert.True(stats.Late + stats.Duplicates <= stats.Received);
        Assert.True(stats.FecRecovered <= stats.Lost);
    }

    [Fact]
    public void Pop_DestinationTooSmall_Throws()
    {
        using var s = new JitterScript();
        Assert.Throws<ArgumentException>(() => s.Buffer.Pop(new short[10]));
    }

    [Fact]
    public void Constructor_CapacityTooSmallForMaxDelay_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new JitterBuffer(new MarkerDecoder(AudioCodec.Opus), TimeProvider.System, new JitterBufferOptions { Capacity = 16, MaxDelayMs = 400 }));
    }
}
