"""URL arguments the reviews permission-matrix modules share: the campaign in the user's area
(`ctx.campaign`) and the one outside it (`ctx.campaign_out`), as page and API keyword arguments."""


def _c(ctx):
    return {"pk": ctx.campaign.pk}


def _c_out(ctx):
    return {"pk": ctx.campaign_out.pk}


def _api_c(ctx):
    return {"campaign_id": ctx.campaign.pk}


def _api_c_out(ctx):
    return {"campaign_id": ctx.campaign_out.pk}
