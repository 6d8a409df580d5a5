namespace ClutchCall.Voice.Speech.Tests.Vad;

/// <summary>Frame accuracy and boundary errors of VAD decisions against truth frames (20 ms).</summary>
internal readonly record struct VadScore(double Accuracy, double OnsetErrorMs, double OffsetErrorMs, double FalseAlarmRate, double MissRate)
{
    private const int FrameMs = 20;
    private const int Window = 25; // ±500 ms search window around a truth boundary

    public static VadScore Compute(bool[] truth, bool[] vad)
    {
        var n = Math.Min(truth.Length, vad.Length);
        int correct = 0, speechFrames = 0, missed = 0, silenceFrames = 0, falseAlarms = 0;
        for (var i = 0; i < n; i++)
        {
            correct += truth[i] == vad[i] ? 1 : 0;
            if (truth[i])
            {
                speechFrames++;
                missed += vad[i] ? 0 : 1;
            }
            else
            {
                silenceFrames++;
                falseAlarms += vad[i] ? 1 : 0;
            }
        }

        double onsetSum = 0, offsetSum = 0;
        var regions = 0;
        foreach (var (s, e) in Regions(truth, n))
        {
            regions++;
            var lo = Math.Max(0, s - Window);
            var onset = -1;
            for (var i = lo; i < Math.Min(n, e); i++)
            {
                if (vad[i])
                {
                    onset = i;
                    break;
                }
            }

            if (onset < 0)
            {
                onsetSum += (e - s) * FrameMs;
                offsetSum += (e - s) * FrameMs;
                continue;
            }

            onsetSum += Math.Abs(onset - s) * FrameMs;
            var last = e - 1;
            int offset;
            if (vad[last])
            {
                offset = last;
                while (offset + 1 < Math.Min(n, e + Window) && vad[offset + 1])
                {
                    offset++;
                }
            }
            else
            {
                offset = last;
                while (offset > s && !vad[offset])
                {
                    offset--;
                }
            }

            offsetSum += Math.Abs(offset - last) * FrameMs;
        }

        return new VadScore(
            (double)correct / n,
            regions == 0 ? 0 : onsetSum / regions,
            regions == 0 ? 0 : offsetSum / regions,
            silenceFrames == 0 ? 0 : (double)falseAlarms / silenceFrames,
            speechFrames == 0 ? 0 : (double)missed / speechFrames);
    }

    private static IEnumerable<(int Start, int End)> Regions(bool[] truth, int n)
    {
        var i = 0;
        while (i < n)
        {
            if (!truth[i])
            {
                i++;
                continue;
            }

            var s = i;
            while (i < n && truth[i])
            {
                i++;
            }

            yield return (s, i);
        }
    }
}
