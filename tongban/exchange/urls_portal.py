"""Portal pages of the exchange (/me/data/): who looked at my data."""

app_name = "mydata"
urlpatterns: list = []
