namespace ClutchCall.Voice.Moqt.Wire.Messages;

/// <summary>
/// Subscription filter of SUBSCRIBE, TRACK_STATUS and PUBLISH_OK (draft-ietf-moq-transport-14 §9.7):
/// <see cref="Start"/> is meaningful for AbsoluteStart/AbsoluteRange, <see cref="EndGroup"/> for AbsoluteRange.
/// </summary>
internal readonly record struct MoqtSubscriptionFilter(MoqtFilterType Type, Location Start = default, ulong EndGroup = 0)
{
    public static MoqtSubscriptionFilter NextGroupStart => new(MoqtFilterType.NextGroupStart);

    public static MoqtSubscriptionFilter LargestObject => new(MoqtFilterType.LargestObject);

    public static MoqtSubscriptionFilter AbsoluteStart(Location start) => new(MoqtFilterType.AbsoluteStart, start);

    public static MoqtSubscriptionFilter AbsoluteRange(Location start, ulong endGroup) => new(MoqtFilterType.AbsoluteRange, start, endGroup);

    public bool HasStart => Type is MoqtFilterType.AbsoluteStart or MoqtFilterType.AbsoluteRange;

    public bool HasEndGroup => Type == MoqtFilterType.AbsoluteRange;
}
